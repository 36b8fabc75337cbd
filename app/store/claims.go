package store

import (
	"context"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// claimRow is an ownership claim as stored.
type claimRow struct {
	ID         int64
	UserID     int64
	ActorURI   string
	Kind       string
	Subject    string
	URL        string
	Host       string
	State      string
	Message    string
	CheckedAt  *time.Time
	VerifiedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (claimRow) TableName() string { return "claims" }

func (r *claimRow) claim() *app.Claim {
	c := app.Claim(*r)
	return &c
}

// InsertClaim stores a new claim and sets its ID; a second claim of the
// same subject by the same user is app.ECONFLICT.
func (s *Claims) InsertClaim(ctx context.Context, c *app.Claim) error {
	now := time.Now().UTC()
	c.CreatedAt, c.UpdatedAt = now, now
	r := claimRow(*c)
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return translate(err, "claim of "+c.Subject)
	}
	c.ID = r.ID
	return nil
}

// SaveClaimCheck records the outcome of checking a claim: its state,
// message and times.
func (s *Claims) SaveClaimCheck(ctx context.Context, c *app.Claim) error {
	c.UpdatedAt = time.Now().UTC()
	res := s.conn(ctx).Model(&claimRow{}).Where("id = ?", c.ID).Updates(map[string]any{
		"state": c.State, "message": c.Message, "checked_at": c.CheckedAt, "verified_at": c.VerifiedAt, "updated_at": c.UpdatedAt,
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no claim %d", c.ID)
	}
	return translate(res.Error, "claim check")
}

// ClaimByID loads a claim.
func (s *Claims) ClaimByID(ctx context.Context, id int64) (*app.Claim, error) {
	var r claimRow
	if err := s.conn(ctx).First(&r, id).Error; err != nil {
		return nil, translate(err, "claim")
	}
	return r.claim(), nil
}

// ClaimsOfUser lists a user's claims, oldest first.
func (s *Claims) ClaimsOfUser(ctx context.Context, userID int64) ([]app.Claim, error) {
	var rows []claimRow
	if err := s.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "claims")
	}
	out := make([]app.Claim, len(rows))
	for i := range rows {
		out[i] = *rows[i].claim()
	}
	return out, nil
}

// DeleteClaim removes a claim of userID; app.ENOTFOUND when it has none
// with that id.
func (s *Claims) DeleteClaim(ctx context.Context, userID, id int64) error {
	res := s.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&claimRow{})
	if res.Error == nil && res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no claim %d", id)
	}
	return translate(res.Error, "delete claim")
}

// VerifiedActorClaim returns the verified claim of the remote actor
// actorURI, app.ENOTFOUND when there is none. When several users claim
// it, the one verified first holds.
func (s *Claims) VerifiedActorClaim(ctx context.Context, actorURI string) (*app.Claim, error) {
	var r claimRow
	err := s.conn(ctx).Where("kind = ? AND subject = ? AND state = ?", app.ClaimActor, actorURI, app.ClaimVerified).
		Order("verified_at, id").First(&r).Error
	if err != nil {
		return nil, translate(err, "claim of "+actorURI)
	}
	return r.claim(), nil
}

// VerifiedSiteClaims lists the verified site claims on host.
func (s *Claims) VerifiedSiteClaims(ctx context.Context, host string) ([]app.Claim, error) {
	var rows []claimRow
	err := s.conn(ctx).Where("kind = ? AND host = ? AND state = ?", app.ClaimSite, host, app.ClaimVerified).
		Order("verified_at, id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "claims on "+host)
	}
	out := make([]app.Claim, len(rows))
	for i := range rows {
		out[i] = *rows[i].claim()
	}
	return out, nil
}

// SetUserLinks writes the aliases (alsoKnownAs) and attribution domains
// a user's actor publishes, space-separated.
func (s *Claims) SetUserLinks(ctx context.Context, userID int64, alsoKnownAs, attributionDomains []string) error {
	res := s.conn(ctx).Model(&app.User{}).Where("id = ?", userID).Updates(map[string]any{
		"also_known_as": strings.Join(alsoKnownAs, " "), "attribution_domains": strings.Join(attributionDomains, " "),
		"updated_at": time.Now().UTC(),
	})
	if res.Error == nil && res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no user %d", userID)
	}
	return translate(res.Error, "links of user")
}

// OwnClaimedThings makes ownerURI the confirmed owner of the remote
// things whose confirmed owner is fromActor (when fromActor is set), or
// whose id or link starts with prefix and is covered (when prefix is
// set). It returns how many it changed.
func (s *Claims) OwnClaimedThings(ctx context.Context, fromActor, prefix string, covered func(string) bool, ownerURI string) (int64, error) {
	q := s.conn(ctx).Model(&thingRow{}).Where("local = ?", false)
	switch {
	case fromActor != "":
		q = q.Where("owner_uri = ? AND owner_confirmed = ?", fromActor, true)
	case prefix != "":
		var rows []thingRow
		like := escapeLike(prefix) + "%"
		err := s.conn(ctx).Select("id", "uri", "url").Where("local = ? AND (uri LIKE ? ESCAPE '\\' OR url LIKE ? ESCAPE '\\')", false, like, like).
			Find(&rows).Error
		if err != nil {
			return 0, translate(err, "claimed things")
		}
		var ids []int64
		for _, r := range rows {
			if covered(r.URI) || covered(r.URL) {
				ids = append(ids, r.ID)
			}
		}
		if len(ids) == 0 {
			return 0, nil
		}
		q = q.Where("id IN ?", ids)
	default:
		return 0, nil
	}
	res := q.Updates(map[string]any{"owner_uri": ownerURI, "owner_confirmed": true, "updated_at": time.Now().UTC()})
	return res.RowsAffected, translate(res.Error, "own claimed things")
}

// DisownClaimedThings withdraws a claim's effect: the remote things on
// host owned by ownerURI, those covered when covered is set, are no
// longer confirmed (the origin confirms them again when they are next
// resolved). It returns how many it changed.
func (s *Claims) DisownClaimedThings(ctx context.Context, ownerURI, host string, covered func(string) bool) (int64, error) {
	var rows []thingRow
	err := s.conn(ctx).Select("id", "uri", "url").
		Where("local = ? AND owner_uri = ? AND owner_confirmed = ? AND host = ?", false, ownerURI, true, host).Find(&rows).Error
	if err != nil {
		return 0, translate(err, "claimed things")
	}
	var ids []int64
	for _, r := range rows {
		if covered == nil || covered(r.URI) || covered(r.URL) {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return 0, nil
	}
	res := s.conn(ctx).Model(&thingRow{}).Where("id IN ?", ids).
		Updates(map[string]any{"owner_confirmed": false, "updated_at": time.Now().UTC()})
	return res.RowsAffected, translate(res.Error, "disown claimed things")
}

// escapeLike escapes the LIKE wildcards of s.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
