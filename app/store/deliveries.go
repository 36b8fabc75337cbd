package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// DeliveryByID loads a delivery.
func (s *Store) DeliveryByID(ctx context.Context, id int64) (*app.Delivery, error) {
	var d app.Delivery
	err := s.conn(ctx).First(&d, id).Error
	return &d, translate(err, fmt.Sprintf("delivery %d", id))
}

// ClaimDelivery gives attempt number attempts+1 of a pending delivery to
// one worker: it succeeds only while the delivery is pending, has made
// exactly attempts attempts and is due by dueBy, and it moves the
// delivery's next attempt to leaseUntil, so that a duplicate task or a
// sweep leaves it alone while the attempt runs. It reports whether the
// claim was won.
func (s *Store) ClaimDelivery(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).
		Where("id = ? AND state = ? AND attempts = ? AND next_attempt_at <= ?", id, app.DeliveryPending, attempts, dueBy.UTC()).
		Updates(map[string]any{"next_attempt_at": leaseUntil.UTC(), "updated_at": time.Now().UTC()})
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("claim delivery %d", id))
}

// ReleaseDelivery gives a claimed delivery back, due at `at`, without
// counting an attempt (the worker stopped before it knew the outcome).
func (s *Store) ReleaseDelivery(ctx context.Context, id int64, attempts int, at time.Time) error {
	err := s.conn(ctx).Model(&app.Delivery{}).
		Where("id = ? AND state = ? AND attempts = ?", id, app.DeliveryPending, attempts).
		Updates(map[string]any{"next_attempt_at": at.UTC(), "updated_at": time.Now().UTC()}).Error
	return translate(err, fmt.Sprintf("release delivery %d", id))
}

// SaveDeliveryAttempt records the outcome of an attempt: d's state,
// attempts, next attempt, last status and error, and delivery time.
func (s *Store) SaveDeliveryAttempt(ctx context.Context, d *app.Delivery) error {
	d.UpdatedAt = time.Now().UTC()
	err := s.conn(ctx).Model(&app.Delivery{}).Where("id = ?", d.ID).Updates(map[string]any{
		"state": d.State, "attempts": d.Attempts, "next_attempt_at": d.NextAttemptAt.UTC(),
		"last_status": d.LastStatus, "last_error": d.LastError, "delivered_at": d.DeliveredAt,
		"updated_at": d.UpdatedAt,
	}).Error
	return translate(err, fmt.Sprintf("delivery %d", d.ID))
}

// SkipDelivery marks a pending delivery skipped with reason; it reports
// whether it was still pending.
func (s *Store) SkipDelivery(ctx context.Context, id int64, reason string, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).Where("id = ? AND state = ?", id, app.DeliveryPending).
		Updates(map[string]any{"state": app.DeliverySkipped, "last_error": reason, "updated_at": now.UTC()})
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("skip delivery %d", id))
}

// DueDeliveries lists pending deliveries due by now, by id after afterID,
// at most limit.
func (s *Store) DueDeliveries(ctx context.Context, now time.Time, afterID int64, limit int) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.conn(ctx).Where("state = ? AND next_attempt_at <= ? AND id > ?", app.DeliveryPending, now.UTC(), afterID).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "due deliveries")
}

// DeliveriesByState lists deliveries in a state, most recently changed
// first, at most limit.
func (s *Store) DeliveriesByState(ctx context.Context, state string, limit int) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.conn(ctx).Where("state = ?", state).Order("updated_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, translate(err, state+" deliveries")
}

// RetryDelivery puts a dead or skipped delivery back to pending, due at
// now, and returns it. Its attempts are kept. A delivery in another state
// is app.ECONFLICT.
func (s *Store) RetryDelivery(ctx context.Context, id int64, now time.Time) (*app.Delivery, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).
		Where("id = ? AND state IN ?", id, []string{app.DeliveryDead, app.DeliverySkipped}).
		Updates(map[string]any{"state": app.DeliveryPending, "next_attempt_at": now.UTC(), "updated_at": now.UTC()})
	if res.Error != nil {
		return nil, translate(res.Error, fmt.Sprintf("retry delivery %d", id))
	}
	d, err := s.DeliveryByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if res.RowsAffected == 0 {
		return nil, app.Errorf(app.ECONFLICT, "delivery %d is %s, only dead or skipped deliveries can be retried", id, d.State)
	}
	return d, nil
}

// EndInboxDeliveries marks every pending delivery to inbox dead with
// reason (the inbox is gone) and returns how many there were.
func (s *Store) EndInboxDeliveries(ctx context.Context, inbox, reason string, now time.Time) (int64, error) {
	// The state is written out, not bound, so that the partial index
	// deliveries_pending_inbox_idx (WHERE state = 'pending') applies.
	res := s.conn(ctx).Model(&app.Delivery{}).Where("inbox = ? AND state = '"+app.DeliveryPending+"'", inbox).
		Updates(map[string]any{"state": app.DeliveryDead, "last_error": reason, "updated_at": now.UTC()})
	return res.RowsAffected, translate(res.Error, "end deliveries to "+inbox)
}

// RemoteActorsByInbox lists the undeleted remote actors whose personal
// inbox is inbox.
func (s *Store) RemoteActorsByInbox(ctx context.Context, inbox string) ([]app.RemoteActor, error) {
	var out []app.RemoteActor
	err := s.conn(ctx).Where("inbox = ? AND deleted_at IS NULL", inbox).Order("id").Find(&out).Error
	return out, translate(err, "actors with inbox "+inbox)
}
