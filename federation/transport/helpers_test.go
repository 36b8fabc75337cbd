package transport

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Every server in these tests listens on loopback (httptest binds
// 127.0.0.1:0); no test connects anywhere else.

// countingListener counts the TCP connections it accepts, so a test can
// prove that a refused request never reached the server at all.
type countingListener struct {
	net.Listener
	accepts atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepts.Add(1)
	}
	return c, err
}

// server is a loopback test server that counts connections and requests.
type server struct {
	*httptest.Server
	ln       *countingListener
	requests atomic.Int64
}

// newServer starts h on loopback (with TLS when tls is set), closed when
// the test ends.
func newServer(tb testing.TB, h http.Handler, tls bool) *server {
	tb.Helper()
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h.ServeHTTP(w, r)
	}))
	s.ln = &countingListener{Listener: s.Listener}
	s.Listener = s.ln
	if tls {
		s.StartTLS()
	} else {
		s.Start()
	}
	tb.Cleanup(s.Close)
	return s
}

// assertUntouched fails the test if s accepted any connection or request.
func (s *server) assertUntouched(tb testing.TB) {
	tb.Helper()
	if n := s.ln.accepts.Load(); n != 0 {
		tb.Errorf("server accepted %d connections, want 0", n)
	}
	if n := s.requests.Load(); n != 0 {
		tb.Errorf("server received %d requests, want 0", n)
	}
}

func (s *server) port() uint16 {
	return netip.MustParseAddrPort(s.Listener.Addr().String()).Port()
}

// signedGET is one SignGET call seen by fakeSigner.
type signedGET struct {
	URL       string
	WithQuery bool
}

// fakeSigner records what it is asked to sign and sets a Signature header
// naming the URL, so servers can check each request was signed for itself.
type fakeSigner struct {
	mu    sync.Mutex
	gets  []signedGET
	posts [][]byte
}

func (s *fakeSigner) SignGET(r *http.Request, withQuery bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets = append(s.gets, signedGET{r.URL.String(), withQuery})
	r.Header.Set("Signature", fakeSignature(r.URL.RequestURI(), withQuery))
	return nil
}

func (s *fakeSigner) SignPOST(r *http.Request, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.posts = append(s.posts, append([]byte(nil), body...))
	r.Header.Set("Signature", fakeSignature(r.URL.RequestURI(), true))
	return nil
}

func (s *fakeSigner) getCalls() []signedGET {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]signedGET(nil), s.gets...)
}

func (s *fakeSigner) postCalls() [][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.posts...)
}

func fakeSignature(requestURI string, withQuery bool) string {
	return fmt.Sprintf("fake target=%q query=%t", requestURI, withQuery)
}

// devClient returns a client that may reach loopback test servers over
// plain HTTP, with opts' other fields kept.
func devClient(opts Options) *Client {
	opts.AllowHTTP = true
	opts.AllowPrivateAddresses = true
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	return New(opts)
}

// trustTLS makes c trust s's self-signed certificate.
func trustTLS(c *Client, s *server) {
	c.transport.TLSClientConfig = s.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
}

// onlyPort replaces c's dial policy by one that allows loopback on port
// alone: it stands in for "a public server" while every other loopback
// server stays forbidden.
func onlyPort(c *Client, port uint16) {
	c.transport.DialContext = newGuardedDialer(func(ap netip.AddrPort) bool {
		return ap.Addr().IsLoopback() && ap.Port() == port
	}, 0).DialContext
}
