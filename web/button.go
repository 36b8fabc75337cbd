package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
)

// The button's frame size, in CSS pixels, for the snippets and oEmbed.
const (
	buttonWidth  = 150
	buttonHeight = 36
)

// Content security policies. Scripts only from this server's files, never
// inline; the button's frame may be embedded by any page, every other
// page by none.
const (
	cspButton = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors *"
	cspPage   = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'"
)

// setCSP sets the page's Content-Security-Policy.
func setCSP(c *gin.Context, policy string) {
	c.Header("Content-Security-Policy", policy)
}

// flattrPath is the confirm page of rawURL, on this server.
func flattrPath(rawURL string) string { return "/flattr?url=" + url.QueryEscape(rawURL) }

// buttonURL is the button's frame for rawURL.
func (s *Server) buttonURL(rawURL string) string {
	return s.deps.BaseURL + "/button?url=" + url.QueryEscape(rawURL)
}

// buttonFrame is GET /button?url=: the flattr button, a small page made
// to be framed by any site. It shows the count and links to the
// visitor's Plaudit server (this one unless /static/button-frame.js
// finds another one remembered in the browser). It sets no cookie.
func (s *Server) buttonFrame(c *gin.Context) {
	c.Writer.Header().Del("X-Frame-Options")
	setCSP(c, cspButton)
	raw := c.Query("url")
	u, err := things.CheckURL(raw)
	if err != nil {
		s.buttonError(c, err)
		return
	}
	a, err := s.countsOf(c, u)
	if err != nil {
		s.buttonError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=60")
	c.Header("Content-Type", "text/html; charset=utf-8")
	data := gin.H{
		"URL": u, "Home": s.deps.BaseURL, "FlattrURL": s.deps.BaseURL + flattrPath(u), "Counts": a.Counts, "Domain": s.deps.Domain,
	}
	if err := s.pages.ExecuteTemplate(c.Writer, "button.html", data); err != nil {
		logger(c).Error("render button", "err", err)
	}
}

// buttonError answers a button that cannot be shown in plain text: the
// frame is too small for a page.
func (s *Server) buttonError(c *gin.Context, err error) {
	status := ErrorStatus(err)
	if status >= 500 {
		logger(c).Error("button failed", "err", err)
	}
	c.String(status, "%s", app.ErrorMessage(err))
}

// NormalizeServer turns what a visitor typed as their Plaudit server (a
// host, a URL, or a handle like @carol@plaudit.example) into the
// server's origin, e.g. https://plaudit.example.
func NormalizeServer(in string) (string, error) {
	s := strings.TrimSpace(in)
	if at := strings.LastIndex(s, "@"); at >= 0 && !strings.Contains(s, "/") {
		s = s[at+1:]
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", app.Errorf(app.EINVALID, "%q is not a server: type its address, e.g. plaudit.example", in)
	}
	return u.Scheme + "://" + strings.ToLower(u.Host), nil
}

// flattrElsewhere is GET /flattr/elsewhere?server=&url=: the visitor
// flattrs from their own Plaudit server; it sends them to its confirm
// page. It works without JavaScript; /static/flattr-choose.js also
// remembers the choice in the browser.
func (s *Server) flattrElsewhere(c *gin.Context) {
	server, err := NormalizeServer(c.Query("server"))
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := things.CheckURL(c.Query("url"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, server+flattrPath(u))
}

// buttonSettings is GET /settings/button?url=: the snippets that embed
// the button for a page of the signed-in creator (their profile by
// default), with a live preview of both.
func (s *Server) buttonSettings(c *gin.Context) {
	u := currentUser(c)
	page := c.Query("url")
	if page == "" {
		page = s.deps.BaseURL + "/@" + u.Username
	}
	data := gin.H{"Title": "Flattr button", "Page": page}
	if _, err := things.CheckURL(page); err != nil {
		data["Error"] = app.ErrorMessage(err)
		c.Status(http.StatusBadRequest)
		s.render(c, "button_settings.html", data)
		return
	}
	data["ButtonURL"] = s.buttonURL(page)
	data["FlattrURL"] = s.deps.BaseURL + flattrPath(page)
	data["ScriptSnippet"], data["IframeSnippet"] = s.scriptSnippet(page), s.iframeSnippet(page)
	data["Width"], data["Height"] = buttonWidth, buttonHeight
	data["Scripts"] = []string{"/static/button.js"}
	s.render(c, "button_settings.html", data)
}

// signedIn guards a page of signed-in users: a signed-out visitor goes to
// the sign-in page and comes back after it. The pages get cspPage.
func (s *Server) signedIn(c *gin.Context) {
	if currentUser(c) == nil {
		s.toLogin(c)
		return
	}
	setCSP(c, cspPage)
	c.Next()
}

// toLogin sends a signed-out visitor to the sign-in page, and back here
// after it.
func (s *Server) toLogin(c *gin.Context) {
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
	c.Abort()
}

// safeNext is where to go after signing in: a path on this server, or
// the start page.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// iframeSnippet is the HTML that embeds the button for page as a frame.
func (s *Server) iframeSnippet(page string) string {
	return fmt.Sprintf(`<iframe src="%s" title="Flattr this on Plaudit" width="%d" height="%d" style="border:0;overflow:hidden" loading="lazy"></iframe>`,
		html.EscapeString(s.buttonURL(page)), buttonWidth, buttonHeight)
}

// scriptSnippet is the HTML that embeds the button for page with
// /static/button.js: a link to the confirm page, which the script turns
// into the button's frame (and which still works without JavaScript).
func (s *Server) scriptSnippet(page string) string {
	return fmt.Sprintf(`<a class="plaudit-button" href="%s" data-url="%s">Flattr this</a>`+"\n"+`<script async src="%s"></script>`,
		html.EscapeString(s.deps.BaseURL+flattrPath(page)), html.EscapeString(page), html.EscapeString(s.deps.BaseURL+"/static/button.js"))
}

// loginNext adds to the sign-in page where to go after it and, when that
// is a confirm page, the offer to flattr from another server instead.
func (s *Server) loginNext(c *gin.Context, next string, data gin.H) {
	next = safeNext(next)
	if next == "/" {
		return
	}
	data["Next"] = next
	u, err := url.Parse(next)
	if err != nil || u.Path != "/flattr" || u.Query().Get("url") == "" {
		return
	}
	setCSP(c, cspPage)
	data["FlattrTarget"] = u.Query().Get("url")
	data["Scripts"] = []string{"/static/flattr-choose.js"}
}
