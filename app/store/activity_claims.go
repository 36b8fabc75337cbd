package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

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

// ClaimActivity gives attempt number attempts+1 at processing a received
// activity to one worker: it succeeds only while the activity is pending,
// has failed exactly attempts times and is due by dueBy, and it moves the
// activity's next attempt to leaseUntil. It reports whether the claim was
// won.
func (s *Store) ClaimActivity(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Activity{}).
		Where("id = ? AND state = ? AND local = ? AND attempts = ? AND next_attempt_at <= ?", id, app.ActivityPending, false, attempts, dueBy.UTC()).
		Update("next_attempt_at", leaseUntil.UTC())
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("claim activity %d", id))
}

// ReleaseActivity gives a claimed activity back, due at `at`, without
// counting an attempt (the worker stopped before it knew the outcome).
func (s *Store) ReleaseActivity(ctx context.Context, id int64, attempts int, at time.Time) error {
	err := s.conn(ctx).Model(&app.Activity{}).
		Where("id = ? AND state = ? AND attempts = ?", id, app.ActivityPending, attempts).
		Update("next_attempt_at", at.UTC()).Error
	return translate(err, fmt.Sprintf("release activity %d", id))
}

// SaveActivityAttempt records the outcome of an attempt at processing a
// received activity: a's state, attempts, next attempt, error and
// processing time.
func (s *Store) SaveActivityAttempt(ctx context.Context, a *app.Activity) error {
	err := s.conn(ctx).Model(&app.Activity{}).Where("id = ?", a.ID).Updates(map[string]any{
		"state": a.State, "attempts": a.Attempts, "next_attempt_at": a.NextAttemptAt.UTC(),
		"error": a.Error, "processed_at": a.ProcessedAt,
	}).Error
	return translate(err, fmt.Sprintf("activity %d", a.ID))
}

// DueActivities lists received activities that are pending and due by
// dueBy, by id after afterID, at most limit. Only the fields needed to
// queue them are loaded: ID, State, Attempts and NextAttemptAt.
func (s *Store) DueActivities(ctx context.Context, dueBy time.Time, afterID int64, limit int) ([]app.Activity, error) {
	var out []app.Activity
	err := s.conn(ctx).Select("id", "state", "attempts", "next_attempt_at").
		Where("state = ? AND local = ? AND next_attempt_at <= ? AND id > ?", app.ActivityPending, false, dueBy.UTC(), afterID).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "due activities")
}
