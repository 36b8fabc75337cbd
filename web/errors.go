package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// statusOf maps app error codes to HTTP status codes.
var statusOf = map[string]int{
	app.ECONFLICT:     http.StatusConflict,
	app.EINVALID:      http.StatusBadRequest,
	app.ENOTFOUND:     http.StatusNotFound,
	app.EUNAUTHORIZED: http.StatusUnauthorized,
	app.EFORBIDDEN:    http.StatusForbidden,
	app.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	app.ERATELIMITED:  http.StatusTooManyRequests,
	app.EINTERNAL:     http.StatusInternalServerError,
	app.EUNAVAILABLE:  http.StatusBadGateway,
}

// ErrorStatus is the HTTP status for err.
func ErrorStatus(err error) int {
	if s, ok := statusOf[app.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// fail answers with err: JSON for API clients, a page for browsers. Internal
// errors are logged and shown only as "internal error".
func (s *Server) fail(c *gin.Context, err error) {
	status := ErrorStatus(err)
	if status >= 500 {
		logger(c).Error("request failed", "err", err)
	} else {
		logger(c).Info("request refused", "status", status, "err", err)
	}
	msg := app.ErrorMessage(err)
	if wantsHTML(c) {
		c.Status(status)
		s.render(c, "error.html", gin.H{"Status": status, "Message": msg})
		c.Abort()
		return
	}
	c.AbortWithStatusJSON(status, gin.H{"error": msg})
}

// wantsHTML tells whether the client is a browser asking for a page.
func wantsHTML(c *gin.Context) bool {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		return false
	}
	return strings.Contains(c.GetHeader("Accept"), "text/html")
}
