package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"gorm.io/gorm/clause"
)

// LocalActivityByObject loads the oldest local activity of type typ whose
// object is objectURI, such as the Create of a local Note.
func (s *Activities) LocalActivityByObject(ctx context.Context, typ, objectURI string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("object_uri = ? AND type = ? AND local = ?", objectURI, typ, true).
		Order("id").First(&a).Error
	return &a, translate(err, typ+" of "+objectURI)
}

// ClaimActivity gives attempt number attempts+1 at processing a received
// activity to one worker: it succeeds only while the activity is pending,
// has failed exactly attempts times and is due by dueBy, and it moves the
// activity's next attempt to leaseUntil. It reports whether the claim was
// won.
func (s *Activities) ClaimActivity(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Activity{}).
		Where("id = ? AND state = ? AND local = ? AND attempts = ? AND next_attempt_at <= ?", id, app.ActivityPending, false, attempts, dueBy.UTC()).
		Update("next_attempt_at", leaseUntil.UTC())
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("claim activity %d", id))
}

// ReleaseActivity gives a claimed activity back, due at `at`, without
// counting an attempt (the worker stopped before it knew the outcome).
func (s *Activities) ReleaseActivity(ctx context.Context, id int64, attempts int, at time.Time) error {
	err := s.conn(ctx).Model(&app.Activity{}).
		Where("id = ? AND state = ? AND attempts = ?", id, app.ActivityPending, attempts).
		Update("next_attempt_at", at.UTC()).Error
	return translate(err, fmt.Sprintf("release activity %d", id))
}

// SaveActivityAttempt records the outcome of an attempt at processing a
// received activity: a's state, attempts, next attempt, error and
// processing time.
func (s *Activities) SaveActivityAttempt(ctx context.Context, a *app.Activity) error {
	err := s.conn(ctx).Model(&app.Activity{}).Where("id = ?", a.ID).Updates(map[string]any{
		"state": a.State, "attempts": a.Attempts, "next_attempt_at": a.NextAttemptAt.UTC(),
		"error": a.Error, "processed_at": a.ProcessedAt,
	}).Error
	return translate(err, fmt.Sprintf("activity %d", a.ID))
}

// DueActivities lists received activities that are pending and due by
// dueBy, by id after afterID, at most limit. Only the fields needed to
// queue them are loaded: ID, State, Attempts and NextAttemptAt.
func (s *Activities) DueActivities(ctx context.Context, dueBy time.Time, afterID int64, limit int) ([]app.Activity, error) {
	var out []app.Activity
	err := s.conn(ctx).Select("id", "state", "attempts", "next_attempt_at").
		// 'pending' written out, not a parameter: the planner then knows
		// it may use the partial index of pending rows.
		Where("state = '"+app.ActivityPending+"' AND local = ? AND next_attempt_at <= ? AND id > ?", false, dueBy.UTC(), afterID).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "due activities")
}

// InsertActivities stores many activities in one statement, each at most
// once: a row whose URI exists already (or appears earlier in rows) is not
// stored. It reports, per row, whether it was stored, and sets the ID of
// the stored ones. One statement and one commit for many rows is what lets
// a busy inbox keep up.
func (s *Activities) InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error) {
	inserted := make([]bool, len(rows))
	if len(rows) == 0 {
		return inserted, nil
	}
	const cols = 14
	var sb strings.Builder
	sb.WriteString(`INSERT INTO activities (uri, type, actor_uri, object_uri, local, public, inbox_owner, document, state, error, attempts, next_attempt_at, created_at, processed_at) VALUES `)
	args := make([]any, 0, len(rows)*cols)
	first := map[string]int{} // uri → index of its first row
	for i, a := range rows {
		if _, dup := first[a.URI]; dup {
			continue
		}
		first[a.URI] = i
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		dueFrom(a)
		args = append(args, a.URI, a.Type, a.ActorURI, a.ObjectURI, a.Local, a.Public, a.InboxOwner, a.Document, a.State, a.Error,
			a.Attempts, a.NextAttemptAt, a.CreatedAt, a.ProcessedAt)
	}
	sb.WriteString(` ON CONFLICT (uri) DO NOTHING RETURNING id, uri`)
	var stored []struct {
		ID  int64
		URI string
	}
	if err := s.conn(ctx).Raw(sb.String(), args...).Find(&stored).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("insert %d activities", len(rows)))
	}
	for _, r := range stored {
		i := first[r.URI]
		rows[i].ID = r.ID
		inserted[i] = true
	}
	return inserted, nil
}

// CountActiveUsers counts local users active since `since`: a browser
// session seen, an API token used, or an activity published (by the actor
// whose id is actorPrefix + username, e.g. "https://h/users/") in that
// time. NodeInfo reports it as activeMonth and activeHalfyear.
func (s *Activities) CountActiveUsers(ctx context.Context, since time.Time, actorPrefix string) (int64, error) {
	since = since.UTC()
	var n int64
	err := s.conn(ctx).Raw(`
		SELECT COUNT(*) FROM users u WHERE
		EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.last_seen_at >= ?)
		OR EXISTS (SELECT 1 FROM api_tokens t WHERE t.user_id = u.id AND t.last_used_at >= ?)
		OR EXISTS (SELECT 1 FROM activities a
			WHERE a.actor_uri = CAST(? AS TEXT) || u.username AND a.local = ? AND a.created_at >= ?)`,
		since, since, actorPrefix, true, since).Scan(&n).Error
	return n, translate(err, "count active users")
}

// CountLocalPosts counts the Create activities local actors published,
// whatever their addressing: NodeInfo's localPosts.
func (s *Activities) CountLocalPosts(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Activity{}).Where("local = ? AND type = ?", true, "Create").Count(&n).Error
	return n, translate(err, "count local posts")
}

// PublicOutboxPage lists a local actor's public activities, newest first,
// skipping offset: one page of the outbox collection.
func (s *Activities) PublicOutboxPage(ctx context.Context, actorURI string, offset, limit int) ([]app.Activity, error) {
	var out []app.Activity
	err := s.conn(ctx).Where("actor_uri = ? AND local = ? AND public = ?", actorURI, true, true).
		Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "outbox page of "+actorURI)
}

// LatestLocalObjectActivity returns the newest local activity of one of
// types (e.g. Create, Update, Delete) whose object is objectURI: what
// answers a fetch of a local object. It is app.ENOTFOUND when there is none.
func (s *Activities) LatestLocalObjectActivity(ctx context.Context, objectURI string, types []string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("object_uri = ? AND local = ? AND type IN ?", objectURI, true, types).
		Order("id DESC").First(&a).Error
	return &a, translate(err, "local activity about "+objectURI)
}

// InsertActivity stores an activity once: it reports false, and stores
// nothing, when an activity with the same URI exists.
func (s *Activities) InsertActivity(ctx context.Context, a *app.Activity) (bool, error) {
	dueFrom(a)
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "uri"}}, DoNothing: true}).Create(a)
	if res.Error != nil {
		return false, translate(res.Error, "activity "+a.URI)
	}
	return res.RowsAffected == 1, nil
}

// ActivityByID loads an activity.
func (s *Activities) ActivityByID(ctx context.Context, id int64) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).First(&a, id).Error
	return &a, translate(err, fmt.Sprintf("activity %d", id))
}

// ActivityByURI loads an activity by its id URI.
func (s *Activities) ActivityByURI(ctx context.Context, uri string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("uri = ?", uri).First(&a).Error
	return &a, translate(err, "activity "+uri)
}

// SetActivityState records the outcome of processing a received activity.
func (s *Activities) SetActivityState(ctx context.Context, id int64, state, errText string, at time.Time) error {
	err := s.conn(ctx).Model(&app.Activity{}).Where("id = ?", id).
		Updates(map[string]any{"state": state, "error": errText, "processed_at": at}).Error
	return translate(err, fmt.Sprintf("activity %d state", id))
}

// CountPublicOutbox counts a local actor's public activities.
func (s *Activities) CountPublicOutbox(ctx context.Context, actorURI string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Activity{}).Where("actor_uri = ? AND local = ? AND public = ?", actorURI, true, true).Count(&n).Error
	return n, translate(err, "count outbox of "+actorURI)
}

// Received activities are processed under a claim, as deliveries are sent:
// the row is the record of what is left to do, and a worker takes it for
// one attempt with a conditional UPDATE, so that a duplicate task, a sweep
// or a second worker finds nothing to do while the attempt runs.

// dueFrom makes a received activity due when it arrives.
func dueFrom(a *app.Activity) {
	if a.NextAttemptAt.IsZero() {
		a.NextAttemptAt = a.CreatedAt
	}
}
