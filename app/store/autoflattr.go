package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// AutoFlattr persists auto-flattr links and what they saw.
type AutoFlattr struct{ *Database }

type autoFlattrLinkRow struct {
	ID           int64
	UserID       int64
	Server       string
	ClientID     string
	ClientSecret string
	TokenSealed  string
	Verifier     string
	OAuthState   string `gorm:"column:oauth_state"`
	State        string
	MonthlyCap   int
	Exceptions   string
	CreatedAt    time.Time
}

func (autoFlattrLinkRow) TableName() string { return "autoflattr_links" }

func (r *autoFlattrLinkRow) link() *app.AutoFlattrLink {
	return &app.AutoFlattrLink{ID: r.ID, UserID: r.UserID, Server: r.Server, ClientID: r.ClientID, ClientSecret: r.ClientSecret,
		TokenSealed: r.TokenSealed, Verifier: r.Verifier, OAuthState: r.OAuthState, State: r.State, Cap: r.MonthlyCap,
		Exceptions: strings.Fields(r.Exceptions), CreatedAt: r.CreatedAt.UTC()}
}

type autoFlattrSeenRow struct {
	LinkID    int64  `gorm:"primaryKey"`
	StatusURI string `gorm:"primaryKey"`
	Month     string
	Outcome   string
}

func (autoFlattrSeenRow) TableName() string { return "autoflattr_seen" }

// InsertAutoFlattrLink stores a new link and sets its ID.
func (s *AutoFlattr) InsertAutoFlattrLink(ctx context.Context, l *app.AutoFlattrLink) error {
	r := autoFlattrLinkRow{UserID: l.UserID, Server: l.Server, ClientID: l.ClientID, ClientSecret: l.ClientSecret, TokenSealed: l.TokenSealed,
		Verifier: l.Verifier, OAuthState: l.OAuthState, State: l.State, MonthlyCap: l.Cap, Exceptions: strings.Join(l.Exceptions, " "),
		CreatedAt: l.CreatedAt.UTC()}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return translate(err, "auto-flattr link")
	}
	l.ID = r.ID
	return nil
}

// AutoFlattrLinkByState loads the pending link of an OAuth state.
func (s *AutoFlattr) AutoFlattrLinkByState(ctx context.Context, state string) (*app.AutoFlattrLink, error) {
	var r autoFlattrLinkRow
	if err := s.conn(ctx).Where("oauth_state = ? AND state = ?", state, app.AutoFlattrPending).First(&r).Error; err != nil {
		return nil, translate(err, "auto-flattr link")
	}
	return r.link(), nil
}

// ActivateAutoFlattrLink stores the sealed token of a pending link and
// forgets its verifier; false when it is not pending any more.
func (s *AutoFlattr) ActivateAutoFlattrLink(ctx context.Context, id int64, sealed string) (bool, error) {
	res := s.conn(ctx).Model(&autoFlattrLinkRow{}).Where("id = ? AND state = ?", id, app.AutoFlattrPending).
		Updates(map[string]any{"token_sealed": sealed, "verifier": "", "state": app.AutoFlattrActive})
	return res.RowsAffected == 1, translate(res.Error, "auto-flattr link")
}

// AutoFlattrLinks lists a funder's links (every active one when userID
// is 0).
func (s *AutoFlattr) AutoFlattrLinks(ctx context.Context, userID int64) ([]app.AutoFlattrLink, error) {
	q := s.conn(ctx).Order("id")
	if userID != 0 {
		q = q.Where("user_id = ?", userID)
	} else {
		q = q.Where("state = ?", app.AutoFlattrActive)
	}
	var rows []autoFlattrLinkRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, translate(err, "auto-flattr links")
	}
	out := make([]app.AutoFlattrLink, len(rows))
	for i := range rows {
		out[i] = *rows[i].link()
	}
	return out, nil
}

// DeleteAutoFlattrLink removes a funder's link; false when there is none.
func (s *AutoFlattr) DeleteAutoFlattrLink(ctx context.Context, userID, id int64) (bool, error) {
	res := s.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&autoFlattrLinkRow{})
	if res.Error != nil {
		return false, translate(res.Error, "auto-flattr link")
	}
	return res.RowsAffected == 1, translate(s.conn(ctx).Where("link_id = ?", id).Delete(&autoFlattrSeenRow{}).Error, "auto-flattr link")
}

// AutoFlattrSeen tells whether a link saw a status before.
func (s *AutoFlattr) AutoFlattrSeen(ctx context.Context, linkID int64, statusURI string) (bool, error) {
	var n int64
	err := s.conn(ctx).Model(&autoFlattrSeenRow{}).Where("link_id = ? AND status_uri = ?", linkID, statusURI).Count(&n).Error
	return n > 0, translate(err, "auto-flattr seen")
}

// MarkAutoFlattrSeen records what a link did with a status; false when it
// saw it before.
func (s *AutoFlattr) MarkAutoFlattrSeen(ctx context.Context, linkID int64, statusURI, month, outcome string) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&autoFlattrSeenRow{LinkID: linkID, StatusURI: statusURI, Month: month, Outcome: outcome})
	return res.RowsAffected == 1, translate(res.Error, "auto-flattr seen")
}

// AutoFlattredIn counts the flattrs a link made in month.
func (s *AutoFlattr) AutoFlattredIn(ctx context.Context, linkID int64, month string) (int, error) {
	var n int64
	err := s.conn(ctx).Model(&autoFlattrSeenRow{}).Where("link_id = ? AND month = ? AND outcome = 'flattred'", linkID, month).Count(&n).Error
	return int(n), translate(err, "auto-flattr count")
}

// ActiveAutoFlattrLinksOf lists the active links of the users, oldest
// first.
func (s *AutoFlattr) ActiveAutoFlattrLinksOf(ctx context.Context, userIDs []int64) ([]app.AutoFlattrLink, error) {
	if len(userIDs) == 0 {
		return nil, nil
	}
	var rows []autoFlattrLinkRow
	if err := s.conn(ctx).Where("user_id IN ? AND state = ?", userIDs, app.AutoFlattrActive).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "auto-flattr links of users")
	}
	out := make([]app.AutoFlattrLink, len(rows))
	for i := range rows {
		out[i] = *rows[i].link()
	}
	return out, nil
}
