package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

const (
	csrfCookie = "plaudit_csrf"
	csrfField  = "csrf_token"
	csrfHeader = "X-CSRF-Token"
	ctxCSRF    = "plaudit.csrf"
)

// crossOrigin refuses cross-origin browser requests by their Sec-Fetch-Site
// and Origin headers (Go's CrossOriginProtection); the token check below
// covers browsers that send neither.
var crossOrigin = http.NewCrossOriginProtection()

// csrf protects every state-changing form request twice: the browser must
// not say the request is cross-origin, and the form must carry the token
// that this site set in an HttpOnly cookie (double submit). Pages get the
// token through the template data.
func (s *Server) csrf(c *gin.Context) {
	token, err := c.Cookie(csrfCookie)
	if err != nil || len(token) < 32 {
		token = newCSRFToken()
		s.setCookie(c, csrfCookie, token, 0)
	}
	c.Set(ctxCSRF, token)
	switch c.Request.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		c.Next()
		return
	}
	if err := crossOrigin.Check(c.Request); err != nil {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "cross-origin form submission refused"))
		return
	}
	sent := c.GetHeader(csrfHeader)
	if sent == "" {
		sent = c.PostForm(csrfField)
	}
	if sent == "" || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "the form expired or did not come from this site: reload the page and try again"))
		return
	}
	c.Next()
}

func newCSRFToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func csrfToken(c *gin.Context) string {
	return c.GetString(ctxCSRF)
}
