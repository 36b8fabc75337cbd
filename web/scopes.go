package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// tokenAccess returns what the request's bearer token grants, or nil when
// the request carried none.
func tokenAccess(c *gin.Context) *accounts.TokenAccess {
	if a, ok := c.Get(ctxToken); ok {
		return a.(*accounts.TokenAccess)
	}
	return nil
}

// requireScope lets a request through when it has a user and, when that
// user came from a bearer token, the token grants at least one of scopes
// (see accounts.Scopes.Allows). Without a user it is 401; a token without
// the scope is 403, as Mastodon answers. A browser session is not
// limited by scopes: it is the user themself.
func (s *Server) requireScope(scopes ...string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if currentUser(c) == nil {
			c.Header("WWW-Authenticate", `Bearer realm="plaudit"`)
			s.fail(c, app.Errorf(app.EUNAUTHORIZED, "sign in or send a bearer token"))
			return
		}
		if a := tokenAccess(c); a != nil && !a.Scopes.AllowsAny(scopes...) {
			c.Header("WWW-Authenticate", `Bearer realm="plaudit", error="insufficient_scope", scope="`+strings.Join(scopes, " ")+`"`)
			s.fail(c, app.Errorf(app.EFORBIDDEN, "this token lacks the scope %s; create one with it", strings.Join(scopes, " or ")))
			return
		}
		c.Next()
	}
}

// requireAdminScope asks admin:read of reads and admin:write of
// everything else.
func (s *Server) requireAdminScope(c *gin.Context) {
	scope := accounts.ScopeAdminWrite
	if c.Request.Method == http.MethodGet || c.Request.Method == http.MethodHead {
		scope = accounts.ScopeAdminRead
	}
	s.requireScope(scope)(c)
}
