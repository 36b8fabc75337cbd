package store

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app"
)

// CreateOAuthApp inserts a registered app.
func (s *OAuth) CreateOAuthApp(ctx context.Context, a *app.OAuthApp) error {
	return translate(s.conn(ctx).Table("oauth_apps").Create(a).Error, "oauth app")
}

// OAuthAppByClientID loads an app by its client id.
func (s *OAuth) OAuthAppByClientID(ctx context.Context, clientID string) (*app.OAuthApp, error) {
	var a app.OAuthApp
	err := s.conn(ctx).Table("oauth_apps").Where("client_id = ?", clientID).First(&a).Error
	return &a, translate(err, "oauth app")
}

// CreateOAuthCode inserts an authorization code.
func (s *OAuth) CreateOAuthCode(ctx context.Context, c *app.OAuthCode) error {
	return translate(s.conn(ctx).Table("oauth_codes").Create(c).Error, "oauth code")
}

// TakeOAuthCode marks the unused, unexpired code with hash used at now and
// returns it. Of concurrent calls only one gets the code; the others, and
// every later call, get app.ENOTFOUND.
func (s *OAuth) TakeOAuthCode(ctx context.Context, hash string, now time.Time) (*app.OAuthCode, error) {
	res := s.conn(ctx).Table("oauth_codes").
		Where("code_hash = ? AND used_at IS NULL AND expires_at > ?", hash, now).
		Update("used_at", now)
	if res.Error != nil {
		return nil, translate(res.Error, "oauth code")
	}
	if res.RowsAffected != 1 {
		return nil, translate(errNotFound, "oauth code")
	}
	var c app.OAuthCode
	err := s.conn(ctx).Table("oauth_codes").Where("code_hash = ?", hash).First(&c).Error
	return &c, translate(err, "oauth code")
}

// DeleteOAuthCodesBefore deletes the codes that expired before t.
func (s *OAuth) DeleteOAuthCodesBefore(ctx context.Context, t time.Time) (int64, error) {
	res := s.conn(ctx).Table("oauth_codes").Where("expires_at < ?", t).Delete(&app.OAuthCode{})
	return res.RowsAffected, translate(res.Error, "delete oauth codes")
}

// CreateOAuthAppToken inserts a client_credentials token.
func (s *OAuth) CreateOAuthAppToken(ctx context.Context, t *app.OAuthAppToken) error {
	return translate(s.conn(ctx).Table("oauth_app_tokens").Create(t).Error, "oauth app token")
}

// OAuthAppTokenByHash loads a client_credentials token by its hash.
func (s *OAuth) OAuthAppTokenByHash(ctx context.Context, hash string) (*app.OAuthAppToken, error) {
	var t app.OAuthAppToken
	err := s.conn(ctx).Table("oauth_app_tokens").Where("token_hash = ?", hash).First(&t).Error
	return &t, translate(err, "oauth app token")
}

// RevokeOAuthAppToken marks the token with hash revoked, unless it is;
// it tells whether a token of clientID had that hash.
func (s *OAuth) RevokeOAuthAppToken(ctx context.Context, clientID, hash string, at time.Time) (bool, error) {
	res := s.conn(ctx).Table("oauth_app_tokens").
		Where("token_hash = ? AND client_id = ? AND revoked_at IS NULL", hash, clientID).Update("revoked_at", at)
	return res.RowsAffected > 0, translate(res.Error, "revoke oauth app token")
}
