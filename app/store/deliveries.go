package store

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// InsertDeliveries stores one pending delivery of activity a per distinct
// inbox, due at now, and returns them with their ids.
func (s *Deliveries) InsertDeliveries(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	now = now.UTC()
	rows := make([]app.Delivery, 0, len(inboxes))
	seen := make(map[string]bool, len(inboxes))
	for _, inbox := range inboxes {
		if seen[inbox] {
			continue
		}
		seen[inbox] = true
		rows = append(rows, app.Delivery{
			ActivityID: a.ID, Inbox: inbox, Host: inboxHost(inbox), State: app.DeliveryPending,
			NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		})
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if err := s.conn(ctx).CreateInBatches(&rows, deliveryBatch).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("deliveries of activity %d", a.ID))
	}
	return rows, nil
}

// DeliveryByID loads a delivery.
func (s *Deliveries) DeliveryByID(ctx context.Context, id int64) (*app.Delivery, error) {
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
func (s *Deliveries) ClaimDelivery(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).
		Where("id = ? AND state = ? AND attempts = ? AND next_attempt_at <= ?", id, app.DeliveryPending, attempts, dueBy.UTC()).
		Updates(map[string]any{"next_attempt_at": leaseUntil.UTC(), "updated_at": time.Now().UTC()})
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("claim delivery %d", id))
}

// ReleaseDelivery gives a claimed delivery back, due at `at`, without
// counting an attempt (the worker stopped before it knew the outcome).
func (s *Deliveries) ReleaseDelivery(ctx context.Context, id int64, attempts int, at time.Time) error {
	err := s.conn(ctx).Model(&app.Delivery{}).
		Where("id = ? AND state = ? AND attempts = ?", id, app.DeliveryPending, attempts).
		Updates(map[string]any{"next_attempt_at": at.UTC(), "updated_at": time.Now().UTC()}).Error
	return translate(err, fmt.Sprintf("release delivery %d", id))
}

// SaveDeliveryAttempt records the outcome of an attempt: d's state,
// attempts, next attempt, last status and error, and delivery time.
func (s *Deliveries) SaveDeliveryAttempt(ctx context.Context, d *app.Delivery) error {
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
func (s *Deliveries) SkipDelivery(ctx context.Context, id int64, reason string, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).Where("id = ? AND state = ?", id, app.DeliveryPending).
		Updates(map[string]any{"state": app.DeliverySkipped, "last_error": reason, "updated_at": now.UTC()})
	return res.RowsAffected == 1, translate(res.Error, fmt.Sprintf("skip delivery %d", id))
}

// DueDeliveries lists pending deliveries due by now, by id after afterID,
// at most limit.
func (s *Deliveries) DueDeliveries(ctx context.Context, now time.Time, afterID int64, limit int) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.conn(ctx).Where("state = ? AND next_attempt_at <= ? AND id > ?", app.DeliveryPending, now.UTC(), afterID).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "due deliveries")
}

// DeliveriesByState lists deliveries in a state, most recently changed
// first, at most limit.
func (s *Deliveries) DeliveriesByState(ctx context.Context, state string, limit int) ([]app.Delivery, error) {
	var out []app.Delivery
	err := s.conn(ctx).Where("state = ?", state).Order("updated_at DESC, id DESC").Limit(limit).Find(&out).Error
	return out, translate(err, state+" deliveries")
}

// RetryDelivery puts a dead or skipped delivery back to pending, due at
// now, and returns it. Its attempts are kept. A delivery in another state
// is app.ECONFLICT.
func (s *Deliveries) RetryDelivery(ctx context.Context, id int64, now time.Time) (*app.Delivery, error) {
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
func (s *Deliveries) EndInboxDeliveries(ctx context.Context, inbox, reason string, now time.Time) (int64, error) {
	// The state is written out, not bound, so that the partial index
	// deliveries_pending_inbox_idx (WHERE state = 'pending') applies.
	res := s.conn(ctx).Model(&app.Delivery{}).Where("inbox = ? AND state = '"+app.DeliveryPending+"'", inbox).
		Updates(map[string]any{"state": app.DeliveryDead, "last_error": reason, "updated_at": now.UTC()})
	return res.RowsAffected, translate(res.Error, "end deliveries to "+inbox)
}

// deliveryBatch is how many delivery rows one INSERT writes.
const deliveryBatch = 500

// inboxHost is the host (and port, if any) of an inbox URL, lower-cased:
// the key deliveries and remote hosts are grouped by. An unparsable URL
// gives "".
func inboxHost(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// SkipHostDeliveries marks every pending delivery to host skipped with
// reason and returns how many there were.
func (s *Deliveries) SkipHostDeliveries(ctx context.Context, host, reason string, now time.Time) (int64, error) {
	res := s.conn(ctx).Model(&app.Delivery{}).Where("host = ? AND state = ?", host, app.DeliveryPending).
		Updates(map[string]any{"state": app.DeliverySkipped, "last_error": reason, "updated_at": now.UTC()})
	return res.RowsAffected, translate(res.Error, "skip deliveries to "+host)
}
