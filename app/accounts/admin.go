package accounts

import (
	"context"
	"fmt"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// errSuspended answers the right password of a suspended account.
var errSuspended = app.Errorf(app.EFORBIDDEN, "this account is suspended: ask the server's admin")

// Users lists the local users by username, for admins.
func (s *Service) Users(ctx context.Context) ([]app.User, error) {
	us, err := s.store.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return us, nil
}

// Protected tells whether username is one of the instance's own accounts,
// which cannot be suspended.
func (s *Service) Protected(username string) bool {
	for _, p := range s.opts.Protected {
		if p != "" && strings.EqualFold(p, username) {
			return true
		}
	}
	return false
}

// Suspend suspends username for admin: from now on they cannot sign in,
// and their sessions and tokens are refused. An admin cannot suspend
// themselves nor the instance's protected accounts; suspending again
// changes nothing.
func (s *Service) Suspend(ctx context.Context, admin *app.User, username string) (*app.User, error) {
	u, err := s.Profile(ctx, username)
	if err != nil {
		return nil, err
	}
	switch {
	case s.Protected(u.Username):
		return nil, app.Errorf(app.EFORBIDDEN, "@%s is this server's own account and cannot be suspended", u.Username)
	case admin != nil && admin.ID == u.ID:
		return nil, app.Errorf(app.EFORBIDDEN, "you cannot suspend yourself")
	case u.SuspendedAt != nil:
		return u, nil
	}
	now := s.opts.Now().UTC()
	if err := s.store.SetUserSuspended(ctx, u.ID, &now); err != nil {
		return nil, fmt.Errorf("suspend %s: %w", u.Username, err)
	}
	u.SuspendedAt = &now
	return u, nil
}

// Unsuspend lifts username's suspension.
func (s *Service) Unsuspend(ctx context.Context, username string) (*app.User, error) {
	u, err := s.Profile(ctx, username)
	if err != nil {
		return nil, err
	}
	if err := s.store.SetUserSuspended(ctx, u.ID, nil); err != nil {
		return nil, fmt.Errorf("unsuspend %s: %w", u.Username, err)
	}
	u.SuspendedAt = nil
	return u, nil
}

// ChangePassword replaces u's password with next, after checking the
// current one; confirm must repeat next. Errors name their field:
// "current", "password" or "confirm".
func (s *Service) ChangePassword(ctx context.Context, u *app.User, current, next, confirm string) error {
	if err := checkPassword(next); err != nil {
		return app.InField("password", err)
	}
	if next != confirm {
		return app.InField("confirm", app.Errorf(app.EINVALID, "the two new passwords differ"))
	}
	return s.withHashSlot(func() error {
		hash, err := s.store.PasswordHash(ctx, u.ID)
		if err != nil {
			return fmt.Errorf("change password of %s: %w", u.Username, err)
		}
		ok, err := passwordMatches(current, hash)
		if err != nil {
			return fmt.Errorf("change password of %s: %w", u.Username, err)
		}
		if !ok {
			return app.InField("current", app.Errorf(app.EINVALID, "this is not your current password"))
		}
		if hash, err = hashPassword(next, s.opts.Argon2); err != nil {
			return err
		}
		if err := s.store.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return fmt.Errorf("change password of %s: %w", u.Username, err)
		}
		return nil
	})
}
