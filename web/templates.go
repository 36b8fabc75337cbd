package web

import (
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/web/sanitize"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

var pageTitles = map[string]string{
	"home.html": "Welcome", "login.html": "Sign in", "signup.html": "Sign up", "error.html": "Error",
	"oauth_authorize.html": "Authorize an app", "oauth_code.html": "Authorization code",
}

func parseTemplates() (*template.Template, error) {
	// remoteHTML cleans HTML from other servers (remote summaries and
	// contents); pages must show remote HTML only through it or the
	// "remote_html" template.
	t, err := template.New("").Funcs(sanitize.FuncMap()).ParseFS(templateFiles, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("parse templates: %w", err)
	}
	return t, nil
}

// render writes the named page with data plus what every page needs: the
// signed-in user, the CSRF token and the instance's domain, under the
// page CSP.
func (s *Server) render(c *gin.Context, name string, data gin.H) {
	if data == nil {
		data = gin.H{}
	}
	data["User"] = currentUser(c)
	data["CSRF"] = csrfToken(c)
	data["Domain"] = s.deps.Domain
	if _, ok := data["Title"]; !ok {
		data["Title"] = pageTitles[name]
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	// Every page gets the page policy unless its handler chose one.
	if c.Writer.Header().Get("Content-Security-Policy") == "" {
		setCSP(c, cspPage)
	}
	if err := s.pages.ExecuteTemplate(c.Writer, name, data); err != nil {
		logger(c).Error("render page", "page", name, "err", err)
	}
}

func (s *Server) static(c *gin.Context) {
	sub, _ := fs.Sub(staticFiles, "static")
	c.Header("Cache-Control", "public, max-age=3600")
	c.FileFromFS(c.Param("path"), http.FS(sub))
}
