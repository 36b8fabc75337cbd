package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// ListUsers lists local users by username, without their secrets.
func (s *Users) ListUsers(ctx context.Context) ([]app.User, error) {
	var us []app.User
	err := s.conn(ctx).Select(userColumns).Order("username").Find(&us).Error
	return us, translate(err, "list users")
}

// SetUserSuspended sets (at) or clears (nil) a user's suspension; an
// unknown user is app.ENOTFOUND.
func (s *Users) SetUserSuspended(ctx context.Context, userID int64, at *time.Time) error {
	return s.setUserColumns(ctx, userID, map[string]any{"suspended_at": at})
}

// SetPasswordHash replaces a user's password hash.
func (s *Users) SetPasswordHash(ctx context.Context, userID int64, hash string) error {
	return s.setUserColumns(ctx, userID, map[string]any{"password_hash": hash})
}

func (s *Users) setUserColumns(ctx context.Context, userID int64, set map[string]any) error {
	set["updated_at"] = time.Now().UTC()
	res := s.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Updates(set)
	if res.Error != nil {
		return translate(res.Error, fmt.Sprintf("update user %d", userID))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no user %d", userID)
	}
	return nil
}
