package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// subscriptionRow is a subscription as stored.
type subscriptionRow struct {
	ID          int64
	Username    string
	FunderURI   string
	ThingURI    string
	Weight      int
	Anonymous   bool
	LastMonth   string
	CancelledAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (subscriptionRow) TableName() string { return "subscriptions" }

func (r *subscriptionRow) subscription() *app.Subscription {
	return &app.Subscription{
		ID: r.ID, Username: r.Username, FunderURI: r.FunderURI, ThingURI: r.ThingURI, Weight: r.Weight,
		Anonymous: r.Anonymous, LastMonth: r.LastMonth, CancelledAt: r.CancelledAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// InsertSubscription stores a new subscription and sets its ID; it
// reports false, storing nothing, when the funder subscribes to the thing
// already.
func (s *Flattrs) InsertSubscription(ctx context.Context, sub *app.Subscription) (bool, error) {
	now := time.Now().UTC()
	r := subscriptionRow{
		Username: sub.Username, FunderURI: sub.FunderURI, ThingURI: sub.ThingURI, Weight: sub.Weight,
		Anonymous: sub.Anonymous, LastMonth: sub.LastMonth, CreatedAt: now, UpdatedAt: now,
	}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error, "subscription to "+sub.ThingURI)
	}
	if res.RowsAffected == 0 {
		return false, nil
	}
	sub.ID, sub.CreatedAt, sub.UpdatedAt = r.ID, now, now
	return true, nil
}

// SubscriptionByID loads a subscription.
func (s *Flattrs) SubscriptionByID(ctx context.Context, id int64) (*app.Subscription, error) {
	var r subscriptionRow
	if err := s.conn(ctx).Where("id = ?", id).First(&r).Error; err != nil {
		return nil, translate(err, "subscription")
	}
	return r.subscription(), nil
}

// SubscriptionsOf lists funderURI's subscriptions, cancelled ones too,
// oldest first.
func (s *Flattrs) SubscriptionsOf(ctx context.Context, funderURI string) ([]app.Subscription, error) {
	var rows []subscriptionRow
	if err := s.conn(ctx).Where("funder_uri = ?", funderURI).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "subscriptions of "+funderURI)
	}
	out := make([]app.Subscription, len(rows))
	for i := range rows {
		out[i] = *rows[i].subscription()
	}
	return out, nil
}

// DueSubscriptions lists live subscriptions that have not flattred in
// month yet, after afterID, at most limit, by id.
func (s *Flattrs) DueSubscriptions(ctx context.Context, month string, afterID int64, limit int) ([]app.Subscription, error) {
	var rows []subscriptionRow
	err := s.conn(ctx).Where("cancelled_at IS NULL AND last_month < ? AND id > ?", month, afterID).Order("id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "due subscriptions")
	}
	out := make([]app.Subscription, len(rows))
	for i := range rows {
		out[i] = *rows[i].subscription()
	}
	return out, nil
}

// UpdateSubscription saves a subscription's weight, last month and
// cancellation.
func (s *Flattrs) UpdateSubscription(ctx context.Context, sub *app.Subscription) error {
	sub.UpdatedAt = time.Now().UTC()
	err := s.conn(ctx).Model(&subscriptionRow{}).Where("id = ?", sub.ID).Updates(map[string]any{
		"weight": sub.Weight, "last_month": sub.LastMonth, "cancelled_at": sub.CancelledAt, "updated_at": sub.UpdatedAt,
	}).Error
	return translate(err, "subscription")
}
