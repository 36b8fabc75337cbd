package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// APITokenByID loads a token by id.
func (s *Tokens) APITokenByID(ctx context.Context, id int64) (*app.APIToken, error) {
	var t app.APIToken
	err := s.conn(ctx).First(&t, id).Error
	return &t, translate(err, fmt.Sprintf("api token %d", id))
}

// APITokensByUser lists a user's tokens, oldest first.
func (s *Tokens) APITokensByUser(ctx context.Context, userID int64) ([]app.APIToken, error) {
	var out []app.APIToken
	err := s.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&out).Error
	return out, translate(err, fmt.Sprintf("api tokens of user %d", userID))
}

// RevokeAPIToken marks a token revoked at at, unless it already is.
func (s *Tokens) RevokeAPIToken(ctx context.Context, id int64, at time.Time) error {
	err := s.conn(ctx).Model(&app.APIToken{}).Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", at).Error
	return translate(err, fmt.Sprintf("revoke api token %d", id))
}

// CreateAPIToken inserts an API token.
func (s *Tokens) CreateAPIToken(ctx context.Context, t *app.APIToken) error {
	return translate(s.conn(ctx).Create(t).Error, "api token")
}

// APITokenByHash loads a token by its hash.
func (s *Tokens) APITokenByHash(ctx context.Context, hash string) (*app.APIToken, error) {
	var t app.APIToken
	err := s.conn(ctx).Where("token_hash = ?", hash).First(&t).Error
	return &t, translate(err, "api token")
}

// TouchAPIToken records when a token was last used.
func (s *Tokens) TouchAPIToken(ctx context.Context, id int64, used time.Time) error {
	err := s.conn(ctx).Model(&app.APIToken{}).Where("id = ?", id).Update("last_used_at", used).Error
	return translate(err, "touch api token")
}
