package accounts

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaudit/plaudit/app"
)

// DefaultTokenTTL is the lifetime of an API token whose creator chose none.
const DefaultTokenTTL = 90 * 24 * time.Hour

// MaxTokenNameLength is the longest token name, in characters.
const MaxTokenNameLength = 100

// Token states, as TokenState tells them.
const (
	TokenActive  = "active"
	TokenExpired = "expired"
	TokenRevoked = "revoked"
)

// TokenRequest asks for a new API token.
type TokenRequest struct {
	Username string
	Name     string        // what the token is for; empty is "cli"
	Scopes   Scopes        // nil is DefaultScopes; admin scopes need an admin
	TTL      time.Duration // 0 is Options.TokenTTL
	// Secret, when set, is the token to store (made by NewTokenSecret,
	// for an OAuth server that makes its tokens itself); empty makes one.
	Secret string
}

// NewTokenSecret makes a bearer token secret that AuthenticateToken
// accepts once IssueToken stored it.
func NewTokenSecret() (string, error) { return newSecret(tokenPrefix) }

// TokenAccess is what a bearer token grants: its user and its scopes.
type TokenAccess struct {
	User   *app.User
	Token  *app.APIToken
	Scopes Scopes
}

// IssueToken makes a bearer token as req asks and returns it with its
// record; only the token's hash is kept, so it cannot be shown again.
func (s *Service) IssueToken(ctx context.Context, req TokenRequest) (string, *app.APIToken, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" {
		name = "cli"
	}
	if utf8.RuneCountInString(name) > MaxTokenNameLength {
		return "", nil, app.Errorf(app.EINVALID, "token name is longer than %d characters", MaxTokenNameLength)
	}
	scopes := req.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = s.opts.TokenTTL
	}
	if ttl < 0 {
		return "", nil, app.Errorf(app.EINVALID, "token lifetime %s must be positive", ttl)
	}
	u, err := s.Profile(ctx, req.Username)
	if err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	if scopes.HasAdmin() && !u.Admin {
		return "", nil, app.Errorf(app.EFORBIDDEN, "%s is not an admin: admin scopes are for admins only", u.Username)
	}
	secret := req.Secret
	if secret == "" {
		if secret, err = NewTokenSecret(); err != nil {
			return "", nil, err
		}
	} else if !strings.HasPrefix(secret, tokenPrefix) {
		return "", nil, app.Errorf(app.EINVALID, "a token secret must come from NewTokenSecret")
	}
	now := s.opts.Now().UTC()
	expires := now.Add(ttl)
	t := &app.APIToken{UserID: u.ID, Name: name, TokenHash: HashSecret(secret), CreatedAt: now, Scopes: scopes.String(), ExpiresAt: &expires}
	if err := s.store.CreateAPIToken(ctx, t); err != nil {
		return "", nil, fmt.Errorf("create token for %s: %w", u.Username, err)
	}
	return secret, t, nil
}

// CreateToken makes a bearer token for username's API access with the
// default scopes and lifetime, and returns it; only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, username, name string) (string, error) {
	secret, _, err := s.IssueToken(ctx, TokenRequest{Username: username, Name: name})
	return secret, err
}

// AuthenticateToken returns what a bearer token grants. An unknown,
// expired or revoked token is app.EUNAUTHORIZED, with a message that says
// which.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*TokenAccess, error) {
	if !strings.HasPrefix(secret, tokenPrefix) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "invalid bearer token")
	}
	t, err := s.store.APITokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, app.ErrNotFound) {
		return nil, app.Errorf(app.EUNAUTHORIZED, "invalid bearer token")
	}
	if err != nil {
		return nil, fmt.Errorf("load api token: %w", err)
	}
	now := s.opts.Now().UTC()
	switch s.TokenState(t) {
	case TokenRevoked:
		return nil, app.Errorf(app.EUNAUTHORIZED, "this bearer token was revoked; create a new one")
	case TokenExpired:
		return nil, app.Errorf(app.EUNAUTHORIZED, "this bearer token expired at %s; create a new one", t.ExpiresAt.UTC().Format(time.RFC3339))
	}
	scopes, err := ParseScopes(t.Scopes)
	if err != nil {
		return nil, fmt.Errorf("api token %d has bad scopes %q: %w", t.ID, t.Scopes, err)
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		if err := s.store.TouchAPIToken(ctx, t.ID, now); err != nil {
			return nil, err
		}
	}
	u, err := s.store.UserByID(ctx, t.UserID)
	if err != nil {
		return nil, fmt.Errorf("load token user: %w", err)
	}
	if u.SuspendedAt != nil {
		return nil, app.Errorf(app.EUNAUTHORIZED, "this account is suspended")
	}
	return &TokenAccess{User: u, Token: t, Scopes: scopes}, nil
}

// TokenUser returns the user a live bearer token belongs to.
func (s *Service) TokenUser(ctx context.Context, secret string) (*app.User, error) {
	a, err := s.AuthenticateToken(ctx, secret)
	if err != nil {
		return nil, err
	}
	return a.User, nil
}

// TokenState tells whether t is active, expired or revoked now.
func (s *Service) TokenState(t *app.APIToken) string {
	switch {
	case t.RevokedAt != nil:
		return TokenRevoked
	case t.ExpiresAt != nil && !s.opts.Now().Before(*t.ExpiresAt):
		return TokenExpired
	}
	return TokenActive
}

// Tokens lists username's tokens, revoked and expired ones included,
// oldest first.
func (s *Service) Tokens(ctx context.Context, username string) ([]app.APIToken, error) {
	u, err := s.Profile(ctx, username)
	if err != nil {
		return nil, err
	}
	list, err := s.store.APITokensByUser(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("tokens of %s: %w", u.Username, err)
	}
	return list, nil
}

// RevokeToken revokes the token with id, whoever owns it (for admins on
// the command line), and returns it as it is now. Revoking it again
// changes nothing.
func (s *Service) RevokeToken(ctx context.Context, id int64) (*app.APIToken, error) {
	t, err := s.store.APITokenByID(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.revoke(ctx, t)
}

// RevokeOwnToken revokes username's token with id; another user's token is
// app.ENOTFOUND, as if it did not exist.
func (s *Service) RevokeOwnToken(ctx context.Context, username string, id int64) (*app.APIToken, error) {
	u, err := s.Profile(ctx, username)
	if err != nil {
		return nil, err
	}
	t, err := s.store.APITokenByID(ctx, id)
	if err == nil && t.UserID != u.ID {
		err = app.Errorf(app.ENOTFOUND, "api token %d not found", id)
	}
	if err != nil {
		return nil, err
	}
	return s.revoke(ctx, t)
}

// RevokeTokensNamed revokes username's tokens called name that are not
// revoked yet and returns them; none is app.ENOTFOUND.
func (s *Service) RevokeTokensNamed(ctx context.Context, username, name string) ([]app.APIToken, error) {
	list, err := s.Tokens(ctx, username)
	if err != nil {
		return nil, err
	}
	var revoked []app.APIToken
	for i := range list {
		if list[i].Name != name || list[i].RevokedAt != nil {
			continue
		}
		t, err := s.revoke(ctx, &list[i])
		if err != nil {
			return revoked, err
		}
		revoked = append(revoked, *t)
	}
	if len(revoked) == 0 {
		return nil, app.Errorf(app.ENOTFOUND, "%s has no unrevoked token named %q", username, name)
	}
	return revoked, nil
}

// RevokeTokenSecret revokes the token whose secret is given, if it is
// one, and tells whether it was.
func (s *Service) RevokeTokenSecret(ctx context.Context, secret string) (bool, error) {
	t, err := s.store.APITokenByHash(ctx, HashSecret(secret))
	if errors.Is(err, app.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load api token: %w", err)
	}
	if _, err := s.revoke(ctx, t); err != nil {
		return false, err
	}
	return true, nil
}

func (s *Service) revoke(ctx context.Context, t *app.APIToken) (*app.APIToken, error) {
	if t.RevokedAt != nil {
		return t, nil
	}
	now := s.opts.Now().UTC()
	if err := s.store.RevokeAPIToken(ctx, t.ID, now); err != nil {
		return nil, fmt.Errorf("revoke token %d: %w", t.ID, err)
	}
	t.RevokedAt = &now
	return t, nil
}
