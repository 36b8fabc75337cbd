// Package profiles holds the use case of a user editing their profile:
// the change is stored, then the user's followers are told with an
// Update of the user's actor, as Mastodon does.
package profiles

import (
	"context"
	"log/slog"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// Accounts stores profile changes (implemented by app/accounts.Service).
type Accounts interface {
	UpdateProfile(ctx context.Context, username string, p accounts.ProfileUpdate) (*app.User, error)
}

// Outbox tells followers (implemented by federation/outbox).
type Outbox interface {
	SendProfileUpdate(ctx context.Context, u *app.User) (*app.Activity, error)
}

// Service runs the profile use cases.
type Service struct {
	accounts Accounts
	outbox   Outbox
	log      *slog.Logger
}

// New returns a Service; logger may be nil.
func New(accounts Accounts, outbox Outbox, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Service{accounts: accounts, outbox: outbox, log: logger}
}

// UpdateProfile stores the change, then publishes the Update unless
// nothing was asked to change. The profile is saved even when publishing
// fails: the failure is logged, and remote servers see the new profile
// when they next fetch the actor.
func (s *Service) UpdateProfile(ctx context.Context, username string, change accounts.ProfileUpdate) (*app.User, error) {
	u, err := s.accounts.UpdateProfile(ctx, username, change)
	if err != nil || change.Empty() {
		return u, err
	}
	if _, err := s.outbox.SendProfileUpdate(ctx, u); err != nil {
		s.log.ErrorContext(ctx, "publish profile update", slog.String("user", u.Username), slog.Any("err", err))
	}
	return u, nil
}
