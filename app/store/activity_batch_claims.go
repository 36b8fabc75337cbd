package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/plaudit/plaudit/app"
)

// ClaimActivities claims, in one statement, every activity of ids that
// ClaimActivity would give the next attempt to: pending, received, due by
// dueBy. It moves their next attempt to leaseUntil and returns them, by
// id; ids it does not return are taken, not due, done, or unknown.
func (s *Activities) ClaimActivities(ctx context.Context, ids []int64, dueBy, leaseUntil time.Time) ([]app.Activity, error) {
	var out []app.Activity
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Raw(`UPDATE activities SET next_attempt_at = ?
		WHERE id IN ? AND state = ? AND local = ? AND next_attempt_at <= ? RETURNING *`,
		leaseUntil.UTC(), ids, app.ActivityPending, false, dueBy.UTC()).Find(&out).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("claim %d activities", len(ids)))
	}
	slices.SortFunc(out, func(a, b app.Activity) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// MarkActivitiesProcessed records, in one statement, that the activities
// ids were applied at `at` (what SetActivityState does for one).
func (s *Activities) MarkActivitiesProcessed(ctx context.Context, ids []int64, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := s.conn(ctx).Model(&app.Activity{}).Where("id IN ?", ids).
		Updates(map[string]any{"state": app.ActivityProcessed, "error": "", "processed_at": at}).Error
	return translate(err, fmt.Sprintf("mark %d activities processed", len(ids)))
}

// TakeActivities is ClaimActivities and MarkActivitiesProcessed in one
// statement, for a worker that applies the rows in the transaction ctx
// carries: it marks every activity of ids that is pending, received and
// due by dueBy processed at `at` and returns them, by id, as they were
// (pending). Their row locks, held until the transaction ends, are the
// claim: a concurrent claim of the same rows waits and then finds them
// done, and a rollback leaves them pending and due as before.
func (s *Activities) TakeActivities(ctx context.Context, ids []int64, dueBy, at time.Time) ([]app.Activity, error) {
	var out []app.Activity
	if len(ids) == 0 {
		return out, nil
	}
	err := s.conn(ctx).Raw(`UPDATE activities SET state = ?, error = '', processed_at = ?
		WHERE id IN ? AND state = ? AND local = ? AND next_attempt_at <= ?
		RETURNING id, uri, type, actor_uri, object_uri, local, public, inbox_owner, document, attempts, next_attempt_at, created_at`,
		app.ActivityProcessed, at.UTC(), ids, app.ActivityPending, false, dueBy.UTC()).Find(&out).Error
	if err != nil {
		return nil, translate(err, fmt.Sprintf("take %d activities", len(ids)))
	}
	for i := range out {
		out[i].State = app.ActivityPending
	}
	slices.SortFunc(out, func(a, b app.Activity) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
