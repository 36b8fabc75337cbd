package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
)

// adminQueueRoutes mounts AdminPages.Queues (asynqmon) under
// /admin/queues, for admins only (see queuesGuard).
func (s *Server) adminQueueRoutes(e *gin.Engine) {
	if s.deps.Admin.Queues == nil {
		return
	}
	h := gin.WrapH(s.queuesGuard(s.deps.Admin.Queues))
	q := e.Group("/admin/queues", s.sessionUser, s.adminPage)
	q.Any("", h)
	q.Any("/*path", h)
}

// queuesGuard serves the queues' UI under its own policy: its POSTs,
// PUTs and DELETEs must come from this site (the UI sends no CSRF token,
// so the browser's Sec-Fetch-Site and Origin are checked), and each page
// may run only the inline scripts it was served with, allowed by their
// hashes: no 'unsafe-inline' scripts.
func (s *Server) queuesGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
		default:
			if err := crossOrigin.Check(r); err != nil || r.Header.Get("Origin") == "" && r.Header.Get("Sec-Fetch-Site") == "" {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
		}
		rec := &bufferedResponse{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		if rec.header.Get("Content-Type") == "" && rec.body.Len() > 0 {
			// As net/http would: the UI writes its page without a type.
			w.Header().Set("Content-Type", http.DetectContentType(rec.body.Bytes()))
		}
		if strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			w.Header().Set("Content-Security-Policy", queuesCSP(rec.body.Bytes()))
		}
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	})
}

// inlineScript matches the scripts of a page that have no src.
var inlineScript = regexp.MustCompile(`(?is)<script(\s[^>]*)?>(.*?)</script>`)

// queuesCSP is the policy of a page of the queues' UI: its own scripts,
// and its inline ones by hash. Its styles are injected at run time by its
// components, hence 'unsafe-inline' for styles (not scripts).
func queuesCSP(page []byte) string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		if bytes.Contains(bytes.ToLower(m[1]), []byte("src=")) || len(m[2]) == 0 {
			continue
		}
		sum := sha256.Sum256(m[2])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	return "default-src 'self'; script-src 'self' " + strings.Join(hashes, " ") +
		"; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

// bufferedResponse holds a response until the policy of its page is known.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header         { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
