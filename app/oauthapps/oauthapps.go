// Package oauthapps holds the use cases of the client applications of the
// Mastodon client API: registering an app, the authorization codes a user
// grants it, and the tokens it gets for itself (client_credentials).
// Tokens that act for a user are the accounts package's API tokens. The
// OAuth protocol itself is spoken in web.
package oauthapps

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// Store persists apps, codes and app tokens (implemented by app/store).
type Store interface {
	CreateOAuthApp(ctx context.Context, a *app.OAuthApp) error
	OAuthAppByClientID(ctx context.Context, clientID string) (*app.OAuthApp, error)
	CreateOAuthCode(ctx context.Context, c *app.OAuthCode) error
	TakeOAuthCode(ctx context.Context, hash string, now time.Time) (*app.OAuthCode, error)
	DeleteOAuthCodesBefore(ctx context.Context, t time.Time) (int64, error)
	CreateOAuthAppToken(ctx context.Context, t *app.OAuthAppToken) error
	OAuthAppTokenByHash(ctx context.Context, hash string) (*app.OAuthAppToken, error)
	RevokeOAuthAppToken(ctx context.Context, clientID, hash string, at time.Time) (bool, error)
}

// Limits of a registration.
const (
	MaxNameLength   = 100
	MaxRedirectURIs = 10
	MaxURILength    = 2000
	// CodeTTL is how long an authorization code can be exchanged.
	CodeTTL = 5 * time.Minute
	// appTokenPrefix marks client_credentials tokens.
	appTokenPrefix = "plapp_"
)

// Service runs the app use cases.
type Service struct {
	store Store
	now   func() time.Time
}

// New returns a Service; now nil is time.Now.
func New(store Store, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{store: store, now: now}
}

// Registration is what an app sends to register itself.
type Registration struct {
	Name         string
	RedirectURIs []string // absolute URIs of any scheme, or app.OOBRedirectURI
	Scopes       string   // "" is read, as in Mastodon
	Website      string
}

// Register stores a new app and returns it with its client secret, which
// is shown only now.
func (s *Service) Register(ctx context.Context, r Registration) (*app.OAuthApp, string, error) {
	name := strings.TrimSpace(r.Name)
	if name == "" || utf8.RuneCountInString(name) > MaxNameLength {
		return nil, "", app.Errorf(app.EINVALID, "client_name must be 1 to %d characters", MaxNameLength)
	}
	uris, err := checkRedirectURIs(r.RedirectURIs)
	if err != nil {
		return nil, "", err
	}
	scopes, err := parseScopes(r.Scopes)
	if err != nil {
		return nil, "", err
	}
	website := strings.TrimSpace(r.Website)
	if website != "" {
		if u, err := url.Parse(website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || len(website) > MaxURILength {
			return nil, "", app.Errorf(app.EINVALID, "website must be an http or https URL")
		}
	}
	clientID, err := random("")
	if err != nil {
		return nil, "", err
	}
	secret, err := random("")
	if err != nil {
		return nil, "", err
	}
	a := &app.OAuthApp{
		ClientID: clientID, SecretHash: accounts.HashSecret(secret), Name: name,
		RedirectURIs: strings.Join(uris, "\n"), Scopes: scopes.String(), Website: website, CreatedAt: s.now().UTC(),
	}
	if err := s.store.CreateOAuthApp(ctx, a); err != nil {
		return nil, "", fmt.Errorf("register app %q: %w", name, err)
	}
	return a, secret, nil
}

// parseScopes reads an app's or a request's scopes; none is read.
func parseScopes(raw string) (accounts.Scopes, error) {
	if strings.TrimSpace(raw) == "" {
		return accounts.Scopes{accounts.ScopeRead}, nil
	}
	return accounts.ParseScopes(raw)
}

// checkRedirectURIs accepts absolute URIs of any scheme (apps use their
// own, like com.tapbots.Ivory.10217:/request_token) without a fragment.
func checkRedirectURIs(raw []string) ([]string, error) {
	var out []string
	for _, r := range raw {
		for _, u := range strings.Fields(r) {
			if !slices.Contains(out, u) {
				out = append(out, u)
			}
		}
	}
	if len(out) == 0 || len(out) > MaxRedirectURIs {
		return nil, app.Errorf(app.EINVALID, "redirect_uris must name 1 to %d URIs", MaxRedirectURIs)
	}
	for _, u := range out {
		p, err := url.Parse(u)
		if u == app.OOBRedirectURI {
			continue
		}
		if err != nil || p.Scheme == "" || p.Fragment != "" || len(u) > MaxURILength || strings.EqualFold(p.Scheme, "javascript") || strings.EqualFold(p.Scheme, "data") {
			return nil, app.Errorf(app.EINVALID, "redirect URI %q must be an absolute URI without a fragment", u)
		}
	}
	return out, nil
}

// App loads a registered app.
func (s *Service) App(ctx context.Context, clientID string) (*app.OAuthApp, error) {
	return s.store.OAuthAppByClientID(ctx, clientID)
}

// RedirectURIs are a's redirect URIs.
func RedirectURIs(a *app.OAuthApp) []string { return strings.Split(a.RedirectURIs, "\n") }

// AllowsRedirect tells whether uri is exactly one of a's redirect URIs.
func AllowsRedirect(a *app.OAuthApp, uri string) bool { return slices.Contains(RedirectURIs(a), uri) }

// VerifySecret tells whether secret is a's client secret.
func VerifySecret(a *app.OAuthApp, secret string) bool {
	return subtle.ConstantTimeCompare([]byte(accounts.HashSecret(secret)), []byte(a.SecretHash)) == 1
}

// GrantScopes checks the scopes a request asks of a ("" is read): they
// must be among those a registered. It returns them normalised.
func GrantScopes(a *app.OAuthApp, requested string) (accounts.Scopes, error) {
	want, err := parseScopes(requested)
	if err != nil {
		return nil, err
	}
	registered, err := accounts.ParseScopes(a.Scopes)
	if err != nil {
		return nil, fmt.Errorf("app %s has bad scopes: %w", a.ClientID, err)
	}
	for _, w := range want {
		if !registered.Allows(w) {
			return nil, app.Errorf(app.EINVALID, "scope %s was not registered by this app", w)
		}
	}
	return want, nil
}

// SaveCode stores the code c's user granted, under code's hash, to
// expire after CodeTTL.
func (s *Service) SaveCode(ctx context.Context, code string, c *app.OAuthCode) error {
	now := s.now().UTC()
	c.CodeHash = accounts.HashSecret(code)
	c.CreatedAt, c.ExpiresAt = now, now.Add(CodeTTL)
	if err := s.store.CreateOAuthCode(ctx, c); err != nil {
		return fmt.Errorf("save code for %s: %w", c.ClientID, err)
	}
	return nil
}

// TakeCode returns the code's grant and marks it used: a code is good for
// one exchange. A used, expired or unknown code is app.ENOTFOUND.
func (s *Service) TakeCode(ctx context.Context, code string) (*app.OAuthCode, error) {
	return s.store.TakeOAuthCode(ctx, accounts.HashSecret(code), s.now().UTC())
}

// PruneCodes deletes codes that expired a day ago or more.
func (s *Service) PruneCodes(ctx context.Context) (int64, error) {
	return s.store.DeleteOAuthCodesBefore(ctx, s.now().Add(-24*time.Hour))
}

// NewAppTokenSecret makes the secret of a client_credentials token.
func NewAppTokenSecret() (string, error) { return random(appTokenPrefix) }

// IsAppToken tells whether secret looks like a client_credentials token.
func IsAppToken(secret string) bool { return strings.HasPrefix(secret, appTokenPrefix) }

// SaveAppToken stores a client_credentials token of clientID.
func (s *Service) SaveAppToken(ctx context.Context, secret, clientID, scopes string) error {
	if !IsAppToken(secret) {
		return app.Errorf(app.EINVALID, "an app token must come from NewAppTokenSecret")
	}
	t := &app.OAuthAppToken{TokenHash: accounts.HashSecret(secret), ClientID: clientID, Scopes: scopes, CreatedAt: s.now().UTC()}
	if err := s.store.CreateOAuthAppToken(ctx, t); err != nil {
		return fmt.Errorf("save app token of %s: %w", clientID, err)
	}
	return nil
}

// AppToken returns the app of a live client_credentials token; an unknown
// or revoked one is app.EUNAUTHORIZED.
func (s *Service) AppToken(ctx context.Context, secret string) (*app.OAuthApp, *app.OAuthAppToken, error) {
	t, err := s.store.OAuthAppTokenByHash(ctx, accounts.HashSecret(secret))
	if errors.Is(err, app.ErrNotFound) || (err == nil && t.RevokedAt != nil) {
		return nil, nil, app.Errorf(app.EUNAUTHORIZED, "invalid bearer token")
	}
	if err != nil {
		return nil, nil, err
	}
	a, err := s.App(ctx, t.ClientID)
	if err != nil {
		return nil, nil, err
	}
	return a, t, nil
}

// RevokeAppToken revokes clientID's client_credentials token secret and
// tells whether there was one.
func (s *Service) RevokeAppToken(ctx context.Context, clientID, secret string) (bool, error) {
	return s.store.RevokeOAuthAppToken(ctx, clientID, accounts.HashSecret(secret), s.now().UTC())
}

func random(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate secret: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}
