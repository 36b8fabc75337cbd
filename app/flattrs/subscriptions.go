package flattrs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/plaudit/plaudit/app"
)

// SubscriptionStore persists subscriptions.
type SubscriptionStore interface {
	InsertSubscription(ctx context.Context, s *app.Subscription) (bool, error)
	SubscriptionByID(ctx context.Context, id int64) (*app.Subscription, error)
	SubscriptionsOf(ctx context.Context, funderURI string) ([]app.Subscription, error)
	DueSubscriptions(ctx context.Context, month string, afterID int64, limit int) ([]app.Subscription, error)
	UpdateSubscription(ctx context.Context, s *app.Subscription) error
}

// Subscribe makes the local user username flattr the thing behind r.URL
// now and again every month until they cancel.
func (s *Service) Subscribe(ctx context.Context, username string, r Request) (*app.Subscription, error) {
	if s.d.Subscriptions == nil {
		return nil, app.Errorf(app.EUNAVAILABLE, "subscriptions are not available here")
	}
	t, err := s.d.Things.Resolve(ctx, r.URL)
	if err != nil {
		return nil, err
	}
	subs, err := s.d.Subscriptions.SubscriptionsOf(ctx, s.d.URLs.Actor(username))
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", t.URI, err)
	}
	for _, sub := range subs {
		if sub.ThingURI == t.URI && sub.CancelledAt == nil {
			return nil, app.Errorf(app.ECONFLICT, "you subscribe to %s already", t.URI)
		}
	}
	r.URL = t.URI
	f, _, err := s.Flattr(ctx, username, r)
	if err != nil {
		return nil, err
	}
	sub := &app.Subscription{
		Username: username, FunderURI: f.FunderURI, ThingURI: f.ThingURI, Weight: f.Weight,
		Anonymous: f.Anonymous, LastMonth: f.Month,
	}
	inserted, err := s.d.Subscriptions.InsertSubscription(ctx, sub)
	if err != nil {
		return nil, fmt.Errorf("subscribe to %s: %w", f.ThingURI, err)
	}
	if !inserted {
		return nil, app.Errorf(app.ECONFLICT, "you subscribe to %s already", f.ThingURI)
	}
	return sub, nil
}

// Subscriptions lists the local user's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, username string) ([]app.Subscription, error) {
	if s.d.Subscriptions == nil {
		return nil, nil
	}
	return s.d.Subscriptions.SubscriptionsOf(ctx, s.d.URLs.Actor(username))
}

// Cancel ends the local user's subscription id; this month's flattr
// stays.
func (s *Service) Cancel(ctx context.Context, username string, id int64) (*app.Subscription, error) {
	if s.d.Subscriptions == nil {
		return nil, app.Errorf(app.ENOTFOUND, "no subscription %d", id)
	}
	sub, err := s.d.Subscriptions.SubscriptionByID(ctx, id)
	if err != nil || sub.FunderURI != s.d.URLs.Actor(username) {
		return nil, app.Errorf(app.ENOTFOUND, "you have no subscription %d", id)
	}
	if sub.CancelledAt != nil {
		return sub, nil
	}
	now := s.d.Now().UTC()
	sub.CancelledAt = &now
	if err := s.d.Subscriptions.UpdateSubscription(ctx, sub); err != nil {
		return nil, fmt.Errorf("cancel subscription %d: %w", id, err)
	}
	return sub, nil
}

// RenewSubscriptions flattrs, for this month, every subscription that has
// not yet: the body of the periodic flattrs:renew job. Running it again,
// or after a crash half-way, flattrs nothing twice (a funder has one
// flattr of a thing a month; a renewal finds it and only records the
// month). A subscription whose thing is gone is skipped and logged, and
// tried again next time. It returns how many it renewed.
func (s *Service) RenewSubscriptions(ctx context.Context, log *slog.Logger) (int, error) {
	if s.d.Subscriptions == nil {
		return 0, nil
	}
	month := app.MonthOf(s.d.Now())
	renewed, after := 0, int64(0)
	var errs []error
	for {
		due, err := s.d.Subscriptions.DueSubscriptions(ctx, month, after, 200)
		if err != nil {
			return renewed, fmt.Errorf("renew subscriptions: %w", err)
		}
		if len(due) == 0 {
			return renewed, errors.Join(errs...)
		}
		for i := range due {
			sub := &due[i]
			after = sub.ID
			if err := s.renew(ctx, sub, month); err != nil {
				if code := app.ErrorCode(err); code == app.EINTERNAL || code == app.EUNAVAILABLE {
					errs = append(errs, err)
				}
				log.WarnContext(ctx, "subscription not renewed", "subscription", sub.ID, "thing", sub.ThingURI, "err", err)
				continue
			}
			renewed++
		}
	}
}

func (s *Service) renew(ctx context.Context, sub *app.Subscription, month string) error {
	_, err := s.d.Store.LiveFlattr(ctx, sub.FunderURI, sub.ThingURI, month)
	switch {
	case errors.Is(err, app.ErrNotFound):
		if _, _, err := s.Flattr(ctx, sub.Username, Request{URL: sub.ThingURI, Weight: sub.Weight, Anonymous: sub.Anonymous}); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	sub.LastMonth = month
	return s.d.Subscriptions.UpdateSubscription(ctx, sub)
}
