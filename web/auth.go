package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/oauthapps"
)

const (
	sessionCookie = "plaudit_session"
	ctxUser       = "plaudit.user"
	ctxToken      = "plaudit.token"
	ctxApp        = "plaudit.app"
)

// currentUser returns the signed-in user, or nil.
func currentUser(c *gin.Context) *app.User {
	if u, ok := c.Get(ctxUser); ok {
		return u.(*app.User)
	}
	return nil
}

// sessionUser loads the user of the session cookie, if any. A stale or
// unknown cookie is dropped, not an error.
func (s *Server) sessionUser(c *gin.Context) {
	token, err := c.Cookie(sessionCookie)
	if err != nil || token == "" {
		c.Next()
		return
	}
	u, err := s.deps.Accounts.SessionUser(c.Request.Context(), token)
	switch app.ErrorCode(err) {
	case "":
		c.Set(ctxUser, u)
	case app.EUNAUTHORIZED:
		s.setCookie(c, sessionCookie, "", -1)
	default:
		s.fail(c, err)
		return
	}
	c.Next()
}

// bearerUser loads the user of an `Authorization: Bearer` token, if any; a
// wrong token is refused.
func (s *Server) bearerUser(c *gin.Context) {
	h := c.GetHeader("Authorization")
	if h == "" {
		c.Next()
		return
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		s.fail(c, app.Errorf(app.EUNAUTHORIZED, "Authorization must be a Bearer token"))
		return
	}
	token = strings.TrimSpace(token)
	if s.deps.OAuthApps != nil && oauthapps.IsAppToken(token) {
		s.appBearer(c, token)
		return
	}
	access, err := s.deps.Accounts.AuthenticateToken(c.Request.Context(), token)
	if err != nil {
		if app.ErrorCode(err) == app.EUNAUTHORIZED {
			c.Header("WWW-Authenticate", `Bearer realm="plaudit", error="invalid_token"`)
		}
		s.fail(c, err)
		return
	}
	c.Set(ctxUser, access.User)
	c.Set(ctxToken, access)
	c.Next()
}

// appBearer lets a client_credentials token through as its app, with no
// user: routes that need one answer 401.
func (s *Server) appBearer(c *gin.Context, token string) {
	a, _, err := s.deps.OAuthApps.AppToken(c.Request.Context(), token)
	if err != nil {
		if app.ErrorCode(err) == app.EUNAUTHORIZED {
			c.Header("WWW-Authenticate", `Bearer realm="plaudit", error="invalid_token"`)
		}
		s.fail(c, err)
		return
	}
	c.Set(ctxApp, a)
	c.Next()
}

func (s *Server) requireAdmin(c *gin.Context) {
	u := currentUser(c)
	if u == nil {
		c.Header("WWW-Authenticate", `Bearer realm="plaudit"`)
		s.fail(c, app.Errorf(app.EUNAUTHORIZED, "sign in or send a bearer token"))
		return
	}
	if !u.Admin {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "only admins may do this"))
		return
	}
	c.Next()
}

// setCookie writes an HttpOnly, SameSite=Lax cookie, Secure when the instance
// is served over https. maxAge < 0 deletes it.
func (s *Server) setCookie(c *gin.Context, name, value string, maxAge int) {
	http.SetCookie(c.Writer, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookie, SameSite: http.SameSiteLaxMode,
	})
}
