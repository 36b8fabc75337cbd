package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// UpdateUserProfile writes the given profile columns (display_name,
// summary, manually_approves_followers) of a user and bumps updated_at;
// any other column is refused. An unknown user is app.ENOTFOUND.
func (s *Users) UpdateUserProfile(ctx context.Context, userID int64, fields map[string]any) error {
	set := make(map[string]any, len(fields)+1)
	for col, v := range fields {
		if !profileColumns[col] {
			return fmt.Errorf("update profile of user %d: column %q is not a profile field", userID, col)
		}
		set[col] = v
	}
	set["updated_at"] = time.Now().UTC()
	res := s.conn(ctx).Model(&app.User{}).Where("id = ?", userID).Updates(set)
	if res.Error != nil {
		return translate(res.Error, fmt.Sprintf("update profile of user %d", userID))
	}
	if res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no user %d", userID)
	}
	return nil
}

// userRow is a users row with the secrets that app.User leaves out: they
// are written on creation and read only by the calls that need them.
type userRow struct {
	app.User      `gorm:"embedded"`
	PasswordHash  string
	PrivateKeyPEM string
}

func (userRow) TableName() string { return "users" }

// userColumns are the columns of app.User: a user is loaded without its
// secrets.
var userColumns = []string{
	"id", "username", "display_name", "summary", "admin", "public_key_pem", "manually_approves_followers",
	"discoverable", "also_known_as", "attribution_domains", "icon_url", "suspended_at", "created_at", "updated_at",
}

// CreateUser inserts u with its secrets; a taken username is
// app.ECONFLICT.
func (s *Users) CreateUser(ctx context.Context, u *app.User, secrets app.UserSecrets) error {
	r := userRow{User: *u, PasswordHash: secrets.PasswordHash, PrivateKeyPEM: secrets.PrivateKeyPEM}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return translate(err, "user "+u.Username)
	}
	*u = r.User
	return nil
}

// UserByID loads a user.
func (s *Users) UserByID(ctx context.Context, id int64) (*app.User, error) {
	var u app.User
	err := s.conn(ctx).Select(userColumns).First(&u, id).Error
	return &u, translate(err, fmt.Sprintf("user %d", id))
}

// UserByUsername loads a user by normalised username.
func (s *Users) UserByUsername(ctx context.Context, username string) (*app.User, error) {
	var u app.User
	err := s.conn(ctx).Select(userColumns).Where("username = ?", username).First(&u).Error
	return &u, translate(err, "user "+username)
}

// PasswordHash loads the password hash of a user, for sign-in.
func (s *Users) PasswordHash(ctx context.Context, userID int64) (string, error) {
	var hash []string
	err := s.conn(ctx).Model(&userRow{}).Where("id = ?", userID).Pluck("password_hash", &hash).Error
	if err == nil && len(hash) == 0 {
		err = errNotFound
	}
	if err != nil {
		return "", translate(err, fmt.Sprintf("password of user %d", userID))
	}
	return hash[0], nil
}

// PrivateKeyPEM loads the private key of a user's actor, for signing.
func (s *Users) PrivateKeyPEM(ctx context.Context, username string) (string, error) {
	var pem []string
	err := s.conn(ctx).Model(&userRow{}).Where("username = ?", username).Pluck("private_key_pem", &pem).Error
	if err == nil && len(pem) == 0 {
		err = errNotFound
	}
	if err != nil {
		return "", translate(err, "key of user "+username)
	}
	return pem[0], nil
}

// CountUsers counts local users.
func (s *Users) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.User{}).Count(&n).Error
	return n, translate(err, "count users")
}

// CreateUserWithInvite creates u and consumes the invite in one
// transaction (the caller's, when ctx carries one).
func (s *Users) CreateUserWithInvite(ctx context.Context, u *app.User, secrets app.UserSecrets, codeHash string, now time.Time) error {
	return s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.CreateUser(ctx, u, secrets); err != nil {
			return err
		}
		res := s.conn(ctx).Model(&app.Invite{}).
			Where("code_hash = ? AND used_by IS NULL AND expires_at > ?", codeHash, now).
			Updates(map[string]any{"used_by": u.ID, "used_at": now})
		if res.Error != nil {
			return translate(res.Error, "redeem invite")
		}
		if res.RowsAffected != 1 {
			return app.Errorf(app.EINVALID, "this invite is unknown, used or expired")
		}
		return nil
	})
}

// SetManuallyApprovesFollowers changes whether a user approves followers by hand.
func (s *Users) SetManuallyApprovesFollowers(ctx context.Context, userID int64, manual bool) error {
	err := s.conn(ctx).Model(&app.User{}).Where("id = ?", userID).
		Updates(map[string]any{"manually_approves_followers": manual, "updated_at": time.Now().UTC()}).Error
	return translate(err, fmt.Sprintf("user %d", userID))
}

// profileColumns are the users columns UpdateUserProfile may write.
var profileColumns = map[string]bool{
	"display_name":                true,
	"summary":                     true,
	"manually_approves_followers": true,
}
