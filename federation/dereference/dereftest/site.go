package dereftest

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// Site is a fake web server on 127.0.0.1 that answers GETs of a path
// (with its query) with a content type and a body of the test's choice,
// which may change as the test goes; "{{base}}" in a body is the Site's
// URL. Every POST (an inbox) is answered 202 and counted.
type Site struct {
	*httptest.Server

	mu     sync.Mutex
	routes map[string][2]string
	posts  atomic.Int32
}

// NewSite starts a Site, closed when the test ends.
func NewSite(tb testing.TB) *Site {
	tb.Helper()
	s := &Site{routes: map[string][2]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		s.posts.Add(1)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	s.mu.Lock()
	route, ok := s.routes[r.URL.RequestURI()]
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", route[0])
	_, _ = w.Write([]byte(strings.ReplaceAll(route[1], "{{base}}", s.URL)))
}

// Serve makes the Site answer GETs of path with body as contentType.
func (s *Site) Serve(path, contentType, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[path] = [2]string{contentType, body}
}

// ServeActivity serves an ActivityPub document.
func (s *Site) ServeActivity(path string, doc []byte) {
	s.Serve(path, "application/activity+json", string(doc))
}

// Posts counts the POSTs received so far.
func (s *Site) Posts() int { return int(s.posts.Load()) }

// Host is the Site's host and port.
func (s *Site) Host() string { return s.Listener.Addr().String() }
