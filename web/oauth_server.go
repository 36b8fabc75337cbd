package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/manage"
	"github.com/go-oauth2/oauth2/v4/models"
	"github.com/go-oauth2/oauth2/v4/server"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/oauthapps"
)

// OAuthApps are the use cases of the Mastodon API's client apps
// (implemented by app/oauthapps.Service).
type OAuthApps interface {
	Register(ctx context.Context, r oauthapps.Registration) (*app.OAuthApp, string, error)
	App(ctx context.Context, clientID string) (*app.OAuthApp, error)
	SaveCode(ctx context.Context, code string, c *app.OAuthCode) error
	TakeCode(ctx context.Context, code string) (*app.OAuthCode, error)
	SaveAppToken(ctx context.Context, secret, clientID, scopes string) error
	AppToken(ctx context.Context, secret string) (*app.OAuthApp, *app.OAuthAppToken, error)
	RevokeAppToken(ctx context.Context, clientID, secret string) (bool, error)
}

// newOAuthServer sets up go-oauth2's server on Plaudit's stores: apps and
// codes in OAuthApps, user tokens as accounts API tokens (so that the
// bearer middleware accepts them), only the authorization code grant
// (PKCE S256, checked whenever the code was asked with a challenge) and
// client_credentials.
func newOAuthServer(apps OAuthApps, accts *accounts.Service, log *slog.Logger) *server.Server {
	m := manage.NewManager()
	m.SetAuthorizeCodeExp(oauthapps.CodeTTL)
	m.SetAuthorizeCodeTokenCfg(&manage.Config{})
	m.SetClientTokenCfg(&manage.Config{})
	m.MapClientStorage(oauthClients{apps})
	m.MapTokenStorage(&oauthTokens{apps: apps, accounts: accts})
	m.MapAuthorizeGenerate(codeGenerator{})
	m.MapAccessGenerate(tokenGenerator{})
	m.SetValidateURIHandler(func(registered, redirect string) error {
		if !slices.Contains(strings.Split(registered, "\n"), redirect) {
			return oerrors.ErrInvalidRedirectURI
		}
		return nil
	})
	cfg := server.NewConfig()
	cfg.AllowedResponseTypes = []oauth2.ResponseType{oauth2.Code}
	cfg.AllowedGrantTypes = []oauth2.GrantType{oauth2.AuthorizationCode, oauth2.ClientCredentials}
	srv := server.NewServer(cfg, m)
	srv.SetClientInfoHandler(func(r *http.Request) (string, string, error) {
		if id, secret, ok := r.BasicAuth(); ok {
			return id, secret, nil
		}
		return server.ClientFormHandler(r)
	})
	srv.SetClientScopeHandler(func(tgr *oauth2.TokenGenerateRequest) (bool, error) {
		a, err := apps.App(tgr.Request.Context(), tgr.ClientID)
		if err != nil {
			return false, oerrors.ErrInvalidClient
		}
		scopes, err := oauthapps.GrantScopes(a, tgr.Scope)
		if err != nil {
			return false, nil
		}
		tgr.Scope = scopes.String()
		return true, nil
	})
	srv.SetInternalErrorHandler(func(err error) *oerrors.Response {
		log.Error("oauth request failed", "err", err)
		return nil
	})
	return srv
}

// oauthClient is a registered app as go-oauth2 sees it: its domain is the
// list of its redirect URIs, its secret is checked against the hash.
type oauthClient struct{ a *app.OAuthApp }

func (c oauthClient) GetID() string                     { return c.a.ClientID }
func (c oauthClient) GetSecret() string                 { return "" }
func (c oauthClient) GetDomain() string                 { return c.a.RedirectURIs }
func (c oauthClient) IsPublic() bool                    { return false }
func (c oauthClient) GetUserID() string                 { return "" }
func (c oauthClient) VerifyPassword(secret string) bool { return oauthapps.VerifySecret(c.a, secret) }

type oauthClients struct{ apps OAuthApps }

func (s oauthClients) GetByID(ctx context.Context, id string) (oauth2.ClientInfo, error) {
	a, err := s.apps.App(ctx, id)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, oerrors.ErrInvalidClient
	}
	if err != nil {
		return nil, err
	}
	return oauthClient{a}, nil
}

// oauthTokens stores what go-oauth2 makes: codes through OAuthApps, user
// tokens as API tokens, client_credentials tokens as app tokens.
type oauthTokens struct {
	apps     OAuthApps
	accounts *accounts.Service
}

func (s *oauthTokens) Create(ctx context.Context, ti oauth2.TokenInfo) error {
	if code := ti.GetCode(); code != "" {
		return s.apps.SaveCode(ctx, code, &app.OAuthCode{
			ClientID: ti.GetClientID(), Username: ti.GetUserID(), RedirectURI: ti.GetRedirectURI(), Scopes: ti.GetScope(),
			Challenge: ti.GetCodeChallenge(), ChallengeMethod: ti.GetCodeChallengeMethod().String(),
		})
	}
	if ti.GetUserID() == "" {
		return s.apps.SaveAppToken(ctx, ti.GetAccess(), ti.GetClientID(), ti.GetScope())
	}
	a, err := s.apps.App(ctx, ti.GetClientID())
	if err != nil {
		return err
	}
	scopes, err := accounts.ParseScopes(ti.GetScope())
	if err != nil {
		return err
	}
	_, _, err = s.accounts.IssueToken(ctx, accounts.TokenRequest{
		Username: ti.GetUserID(), Name: clip(a.Name, accounts.MaxTokenNameLength), Scopes: scopes,
		TTL: ti.GetAccessExpiresIn(), Secret: ti.GetAccess(),
	})
	return err
}

// GetByCode takes the code: a code is used up by the first token request
// that names it, even one that then fails its PKCE check.
func (s *oauthTokens) GetByCode(ctx context.Context, code string) (oauth2.TokenInfo, error) {
	c, err := s.apps.TakeCode(ctx, code)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ti := models.NewToken()
	ti.SetCode(code)
	ti.SetCodeCreateAt(c.CreatedAt)
	ti.SetCodeExpiresIn(c.ExpiresAt.Sub(c.CreatedAt))
	ti.SetClientID(c.ClientID)
	ti.SetUserID(c.Username)
	ti.SetRedirectURI(c.RedirectURI)
	ti.SetScope(c.Scopes)
	ti.SetCodeChallenge(c.Challenge)
	ti.SetCodeChallengeMethod(oauth2.CodeChallengeMethod(c.ChallengeMethod))
	return ti, nil
}

// RemoveByCode has nothing left to do: GetByCode used the code up.
func (s *oauthTokens) RemoveByCode(context.Context, string) error { return nil }

// The access and refresh lookups are not used: the bearer middleware
// authenticates tokens, and no refresh tokens are issued.
func (s *oauthTokens) RemoveByAccess(context.Context, string) error  { return nil }
func (s *oauthTokens) RemoveByRefresh(context.Context, string) error { return nil }
func (s *oauthTokens) GetByAccess(context.Context, string) (oauth2.TokenInfo, error) {
	return nil, errors.New("access token lookup is not supported")
}
func (s *oauthTokens) GetByRefresh(context.Context, string) (oauth2.TokenInfo, error) {
	return nil, oerrors.ErrInvalidRefreshToken
}

// codeGenerator makes 256-bit authorization codes.
type codeGenerator struct{}

func (codeGenerator) Token(context.Context, *oauth2.GenerateBasic) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenGenerator makes API token secrets for users and app token secrets
// for client_credentials.
type tokenGenerator struct{}

func (tokenGenerator) Token(_ context.Context, data *oauth2.GenerateBasic, _ bool) (string, string, error) {
	if data.UserID == "" {
		s, err := oauthapps.NewAppTokenSecret()
		return s, "", err
	}
	s, err := accounts.NewTokenSecret()
	return s, "", err
}

// clip cuts s to n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
