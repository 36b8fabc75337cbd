package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"github.com/plaudit/plaudit/app"
)

var _ app.AccountStore = (*Store)(nil)

// CreateUser inserts u; a taken username is app.ECONFLICT.
func (s *Store) CreateUser(ctx context.Context, u *app.User) error {
	return translate(s.conn(ctx).Create(u).Error, "user "+u.Username)
}

// UserByID loads a user.
func (s *Store) UserByID(ctx context.Context, id int64) (*app.User, error) {
	var u app.User
	err := s.conn(ctx).First(&u, id).Error
	return &u, translate(err, fmt.Sprintf("user %d", id))
}

// UserByUsername loads a user by normalised username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*app.User, error) {
	var u app.User
	err := s.conn(ctx).Where("username = ?", username).First(&u).Error
	return &u, translate(err, "user "+username)
}

// CountUsers counts local users.
func (s *Store) CountUsers(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.User{}).Count(&n).Error
	return n, translate(err, "count users")
}

// CreateSession inserts a browser session.
func (s *Store) CreateSession(ctx context.Context, sess *app.Session) error {
	return translate(s.conn(ctx).Create(sess).Error, "session")
}

// SessionByTokenHash loads a session by the hash of its cookie.
func (s *Store) SessionByTokenHash(ctx context.Context, hash string) (*app.Session, error) {
	var sess app.Session
	err := s.conn(ctx).Where("token_hash = ?", hash).First(&sess).Error
	return &sess, translate(err, "session")
}

// TouchSession records when a session was last used.
func (s *Store) TouchSession(ctx context.Context, id int64, seen time.Time) error {
	err := s.conn(ctx).Model(&app.Session{}).Where("id = ?", id).Update("last_seen_at", seen).Error
	return translate(err, "touch session")
}

// DeleteSession removes a session (sign-out).
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	err := s.conn(ctx).Where("token_hash = ?", hash).Delete(&app.Session{}).Error
	return translate(err, "delete session")
}

// CreateAPIToken inserts an API token.
func (s *Store) CreateAPIToken(ctx context.Context, t *app.APIToken) error {
	return translate(s.conn(ctx).Create(t).Error, "api token")
}

// APITokenByHash loads a token by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash string) (*app.APIToken, error) {
	var t app.APIToken
	err := s.conn(ctx).Where("token_hash = ?", hash).First(&t).Error
	return &t, translate(err, "api token")
}

// TouchAPIToken records when a token was last used.
func (s *Store) TouchAPIToken(ctx context.Context, id int64, used time.Time) error {
	err := s.conn(ctx).Model(&app.APIToken{}).Where("id = ?", id).Update("last_used_at", used).Error
	return translate(err, "touch api token")
}

// CreateInvite inserts an invite.
func (s *Store) CreateInvite(ctx context.Context, inv *app.Invite) error {
	return translate(s.conn(ctx).Create(inv).Error, "invite")
}

// CreateUserWithInvite creates u and consumes the invite in one transaction.
func (s *Store) CreateUserWithInvite(ctx context.Context, u *app.User, codeHash string, now time.Time) error {
	return s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Create(u).Error; err != nil {
			return translate(err, "user "+u.Username)
		}
		res := tx.Model(&app.Invite{}).
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
func (s *Store) SetManuallyApprovesFollowers(ctx context.Context, userID int64, manual bool) error {
	err := s.conn(ctx).Model(&app.User{}).Where("id = ?", userID).
		Updates(map[string]any{"manually_approves_followers": manual, "updated_at": time.Now().UTC()}).Error
	return translate(err, fmt.Sprintf("user %d", userID))
}
