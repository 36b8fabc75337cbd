package web

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth2/oauth2/v4"
	oerrors "github.com/go-oauth2/oauth2/v4/errors"
	"github.com/go-oauth2/oauth2/v4/server"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/oauthapps"
)

// oauthRoutes adds app registration and the OAuth 2 endpoints of the
// Mastodon client API when Deps.OAuthApps is set.
func (s *Server) oauthRoutes(e *gin.Engine, forms, api *gin.RouterGroup) {
	if s.deps.OAuthApps == nil {
		return
	}
	s.oauth = newOAuthServer(s.deps.OAuthApps, s.deps.Accounts, s.deps.Logger)
	api.POST("/apps", s.registerApp)
	api.GET("/apps/verify_credentials", s.verifyApp)
	forms.GET("oauth/authorize", s.authorizePage)
	forms.POST("oauth/authorize", s.authorize)
	e.POST("/oauth/token", s.oauthToken)
	e.POST("/oauth/revoke", s.oauthRevoke)
	e.GET("/.well-known/oauth-authorization-server", s.oauthMetadata)
}

// jsonAsForm lets clients that post JSON use the endpoints that read
// form fields: a JSON object's strings (and numbers) become the form.
func jsonAsForm(c *gin.Context) error {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "application/json" {
		if err := c.Request.ParseForm(); err != nil {
			return app.Errorf(app.EINVALID, "the body is not a form: %v", err)
		}
		return nil
	}
	var body map[string]any
	if err := json.NewDecoder(c.Request.Body).Decode(&body); err != nil {
		return app.Errorf(app.EINVALID, "the body is not a JSON object: %v", err)
	}
	form := url.Values{}
	for k, v := range body {
		switch v := v.(type) {
		case string:
			form.Set(k, v)
		case float64, bool:
			form.Set(k, fmt.Sprint(v))
		case []any:
			for _, item := range v {
				form.Add(k, fmt.Sprint(item))
			}
		}
	}
	for k, vs := range c.Request.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = vs
		}
	}
	c.Request.PostForm, c.Request.Form = form, form
	return nil
}

// applicationJSON is Mastodon's Application entity (and CredentialApplication
// with the client id and secret).
type applicationJSON struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Website      *string  `json:"website"`
	Scopes       []string `json:"scopes"`
	RedirectURI  string   `json:"redirect_uri"`
	RedirectURIs []string `json:"redirect_uris"`
	VapidKey     string   `json:"vapid_key"`
	ClientID     string   `json:"client_id,omitempty"`
	ClientSecret string   `json:"client_secret,omitempty"`
}

func toApplicationJSON(a *app.OAuthApp) applicationJSON {
	out := applicationJSON{
		ID: fmt.Sprint(a.ID), Name: a.Name, Scopes: strings.Fields(a.Scopes),
		RedirectURI: strings.ReplaceAll(a.RedirectURIs, "\n", " "), RedirectURIs: oauthapps.RedirectURIs(a),
	}
	if a.Website != "" {
		out.Website = &a.Website
	}
	return out
}

// registerApp is POST /api/v1/apps, with a form or JSON body.
func (s *Server) registerApp(c *gin.Context) {
	if err := jsonAsForm(c); err != nil {
		s.fail(c, err)
		return
	}
	r := oauthapps.Registration{
		Name: c.PostForm("client_name"), RedirectURIs: c.PostFormArray("redirect_uris"),
		Scopes: c.PostForm("scopes"), Website: c.PostForm("website"),
	}
	if len(r.RedirectURIs) == 0 {
		r.RedirectURIs = c.PostFormArray("redirect_uris[]")
	}
	a, secret, err := s.deps.OAuthApps.Register(c.Request.Context(), r)
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	out := toApplicationJSON(a)
	out.ClientID, out.ClientSecret = a.ClientID, secret
	c.JSON(http.StatusOK, out)
}

// verifyApp is GET /api/v1/apps/verify_credentials, for a
// client_credentials token.
func (s *Server) verifyApp(c *gin.Context) {
	a, ok := c.Get(ctxApp)
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="plaudit"`)
		s.fail(c, app.Errorf(app.EUNAUTHORIZED, "send the app's client_credentials token"))
		return
	}
	c.JSON(http.StatusOK, toApplicationJSON(a.(*app.OAuthApp)))
}

// authRequest is a checked authorization request and its app.
type authRequest struct {
	req    *server.AuthorizeRequest
	app    *app.OAuthApp
	scopes accounts.Scopes
}

// checkAuthorize checks what GET and POST /oauth/authorize ask before
// anything is shown or sent: a known app, one of its redirect URIs
// exactly, its scopes, PKCE with S256 only. A bad request is never
// redirected to the app.
func (s *Server) checkAuthorize(c *gin.Context) (*authRequest, error) {
	r := c.Request
	if cc := r.FormValue("code_challenge"); cc != "" && r.FormValue("code_challenge_method") != string(oauth2.CodeChallengeS256) {
		return nil, app.Errorf(app.EINVALID, "code_challenge_method must be S256")
	}
	req, err := s.oauth.ValidationAuthorizeRequest(r)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "bad authorization request: %v", err)
	}
	a, err := s.deps.OAuthApps.App(r.Context(), req.ClientID)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil, app.Errorf(app.EINVALID, "unknown client_id")
	}
	if err != nil {
		return nil, err
	}
	if !oauthapps.AllowsRedirect(a, req.RedirectURI) {
		return nil, app.Errorf(app.EINVALID, "redirect_uri is not one this app registered")
	}
	scopes, err := oauthapps.GrantScopes(a, req.Scope)
	if err != nil {
		return nil, err
	}
	req.Scope = scopes.String()
	return &authRequest{req: req, app: a, scopes: scopes}, nil
}

// authorizePage is GET /oauth/authorize: sign in if need be, then a page
// that asks the user to grant the app its scopes.
func (s *Server) authorizePage(c *gin.Context) {
	ar, err := s.checkAuthorize(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if currentUser(c) == nil {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		return
	}
	s.render(c, "oauth_authorize.html", gin.H{"App": ar.app, "Scopes": ar.scopes, "Req": ar.req})
}

// authorize is POST /oauth/authorize: the user's answer. Approved, the app
// gets a code at its redirect URI (or the page shows it, for the
// out-of-band URI); denied, it gets access_denied.
func (s *Server) authorize(c *gin.Context) {
	u := currentUser(c)
	if u == nil {
		s.fail(c, app.Errorf(app.EUNAUTHORIZED, "sign in first"))
		return
	}
	ar, err := s.checkAuthorize(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if ar.scopes.HasAdmin() && !u.Admin {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "admin scopes are for admins only"))
		return
	}
	to := ar.req.RedirectURI
	if c.PostForm("decision") != "approve" {
		s.redirectToApp(c, to, url.Values{"error": {"access_denied"}, "state": {ar.req.State}})
		return
	}
	ar.req.UserID = u.Username
	ti, err := s.oauth.GetAuthorizeToken(c.Request.Context(), ar.req)
	if err != nil {
		s.fail(c, fmt.Errorf("authorize %s: %w", ar.app.ClientID, err))
		return
	}
	s.redirectToApp(c, to, url.Values{"code": {ti.GetCode()}, "state": {ar.req.State}})
}

// redirectToApp sends the user back to the app with q, or, for the
// out-of-band URI, shows the code.
func (s *Server) redirectToApp(c *gin.Context, to string, q url.Values) {
	if q.Get("state") == "" {
		q.Del("state")
	}
	if to == app.OOBRedirectURI {
		s.render(c, "oauth_code.html", gin.H{"Code": q.Get("code"), "Denied": q.Get("error") != ""})
		return
	}
	u, err := url.Parse(to)
	if err != nil {
		s.fail(c, fmt.Errorf("redirect uri %q: %w", to, err))
		return
	}
	old := u.Query()
	for k, v := range q {
		old[k] = v
	}
	u.RawQuery = old.Encode()
	c.Redirect(http.StatusFound, u.String())
}

// oauthTokenJSON is Mastodon's Token entity.
type oauthTokenJSON struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	Scope       string `json:"scope"`
	CreatedAt   int64  `json:"created_at"`
}

// oauthToken is POST /oauth/token, with a form or JSON body.
func (s *Server) oauthToken(c *gin.Context) {
	if err := jsonAsForm(c); err != nil {
		c.JSON(http.StatusBadRequest, gin.H{"error": "invalid_request", "error_description": app.ErrorMessage(err)})
		return
	}
	gt, tgr, err := s.oauth.ValidationTokenRequest(c.Request)
	var ti oauth2.TokenInfo
	if err == nil {
		ti, err = s.oauth.GetAccessToken(c.Request.Context(), gt, tgr)
	}
	if err != nil {
		data, status, _ := s.oauth.GetErrorData(err)
		if data["error"] == oerrors.ErrInvalidGrant.Error() {
			status = http.StatusBadRequest // RFC 6749 5.2; go-oauth2 says 401
		}
		logger(c).Info("token refused", "status", status, "err", err)
		c.Header("Cache-Control", "no-store")
		c.JSON(status, gin.H{"error": data["error"], "error_description": data["error_description"]})
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, oauthTokenJSON{
		AccessToken: ti.GetAccess(), TokenType: "Bearer", Scope: ti.GetScope(), CreatedAt: ti.GetAccessCreateAt().Unix(),
	})
}

// oauthRevoke is POST /oauth/revoke (RFC 7009): the app revokes one of
// its tokens. An unknown token is not an error.
func (s *Server) oauthRevoke(c *gin.Context) {
	if err := jsonAsForm(c); err != nil {
		s.failMastodon(c, err)
		return
	}
	ctx := c.Request.Context()
	id, secret, _ := s.oauth.ClientInfoHandler(c.Request)
	a, err := s.deps.OAuthApps.App(ctx, id)
	if err != nil || !oauthapps.VerifySecret(a, secret) {
		c.JSON(http.StatusUnauthorized, gin.H{"error": "invalid_client", "error_description": "client authentication failed"})
		return
	}
	token := c.Request.PostFormValue("token")
	if oauthapps.IsAppToken(token) {
		_, err = s.deps.OAuthApps.RevokeAppToken(ctx, a.ClientID, token)
	} else if token != "" {
		_, err = s.deps.Accounts.RevokeTokenSecret(ctx, token)
	}
	if err != nil {
		s.failMastodon(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{})
}

// oauthMetadata is GET /.well-known/oauth-authorization-server (RFC 8414).
func (s *Server) oauthMetadata(c *gin.Context) {
	base := s.deps.BaseURL
	c.JSON(http.StatusOK, gin.H{
		"issuer":                                base + "/",
		"service_documentation":                 "https://docs.joinmastodon.org/",
		"authorization_endpoint":                base + "/oauth/authorize",
		"token_endpoint":                        base + "/oauth/token",
		"revocation_endpoint":                   base + "/oauth/revoke",
		"app_registration_endpoint":             base + "/api/v1/apps",
		"scopes_supported":                      oauthScopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "client_credentials"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

// oauthScopes are the scopes advertised.
var oauthScopes = []string{
	"read", "write", "follow", "push", "profile",
	"read:accounts", "read:favourites", "read:follows", "read:notifications", "read:search", "read:statuses",
	"write:accounts", "write:favourites", "write:follows", "write:statuses",
}
