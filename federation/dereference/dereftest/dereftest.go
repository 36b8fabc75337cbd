// Package dereftest gives federation tests fake remote servers on loopback
// and the documents they serve: the real-world fixtures of
// federation/testdata with their hosts moved to the fake servers and their
// keys replaced by keys the test holds.
package dereftest

import (
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/plaudit/plaudit/federation/httpsig"
)

// Response is what a Remote answers on one path.
type Response struct {
	Status   int    // 200 when zero
	Body     []byte // served as application/activity+json
	Location string // for redirects
	// Hang makes the Remote answer nothing until the client gives up (its
	// request ends): a server that times out.
	Hang bool
}

// Remote is a fake ActivityPub server listening on 127.0.0.1. It answers
// GETs from a table of paths and counts the requests per path.
type Remote struct {
	*httptest.Server

	mu       sync.Mutex
	routes   map[string]Response
	hits     map[string]int
	requests []*http.Request
}

// NewRemote starts a Remote, closed when the test ends.
func NewRemote(tb testing.TB) *Remote {
	tb.Helper()
	r := &Remote{routes: map[string]Response{}, hits: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	tb.Cleanup(r.Close)
	return r
}

func (r *Remote) serve(w http.ResponseWriter, req *http.Request) {
	path := req.URL.RequestURI()
	r.mu.Lock()
	r.hits[path]++
	r.requests = append(r.requests, req.Clone(req.Context()))
	resp, ok := r.routes[path]
	r.mu.Unlock()
	switch {
	case !ok:
		http.NotFound(w, req)
	case resp.Hang:
		<-req.Context().Done()
	case resp.Location != "":
		http.Redirect(w, req, resp.Location, max(resp.Status, http.StatusFound))
	default:
		w.Header().Set("Content-Type", "application/activity+json")
		w.WriteHeader(max(resp.Status, http.StatusOK))
		_, _ = w.Write(resp.Body)
	}
}

// Handle makes the Remote answer GETs of path (with its query) with resp.
func (r *Remote) Handle(path string, resp Response) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.routes[path] = resp
}

// Serve makes the Remote answer GETs of path with body.
func (r *Remote) Serve(path string, body []byte) { r.Handle(path, Response{Body: body}) }

// Hits counts the requests for path so far.
func (r *Remote) Hits(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits[path]
}

// Total counts every request so far.
func (r *Remote) Total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.requests)
}

// Requests returns copies of the requests received so far.
func (r *Remote) Requests() []*http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*http.Request(nil), r.requests...)
}

// keys are RSA keys by name: each takes a while to make, so a test binary
// makes each once.
var keys sync.Map // name → func() *rsa.PrivateKey

// Key returns the RSA-2048 key called name, the same one on every call.
func Key(name string) *rsa.PrivateKey {
	f, _ := keys.LoadOrStore(name, sync.OnceValue(func() *rsa.PrivateKey {
		k, err := httpsig.GenerateKey()
		if err != nil {
			panic(err)
		}
		return k
	}))
	return f.(func() *rsa.PrivateKey)()
}

// PublicPEM is the PKIX PEM of key's public half.
func PublicPEM(tb testing.TB, key *rsa.PrivateKey) string {
	tb.Helper()
	pemText, err := httpsig.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		tb.Fatal(err)
	}
	return pemText
}

// testdataDir is federation/testdata, found from this file's path so that
// tests in any package can read it.
func testdataDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

// Fixture reads federation/testdata/name and rewrites it: each key of
// hosts (an origin such as "https://mastodon.example") is replaced by its
// value (a test server's URL).
func Fixture(tb testing.TB, name string, hosts map[string]string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(testdataDir(), name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	s := string(data)
	for from, to := range hosts {
		s = strings.ReplaceAll(s, from, to)
	}
	return []byte(s)
}

// WithKey returns the actor document doc with its publicKey replaced by one
// key: id keyID, owner owner and the public half of key.
func WithKey(tb testing.TB, doc []byte, keyID, owner string, key *rsa.PrivateKey) []byte {
	tb.Helper()
	return Edit(tb, doc, func(m map[string]any) {
		m["publicKey"] = map[string]any{"id": keyID, "owner": owner, "publicKeyPem": PublicPEM(tb, key)}
	})
}

// Edit decodes the JSON object doc, lets edit change it and encodes it again.
func Edit(tb testing.TB, doc []byte, edit func(m map[string]any)) []byte {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(doc, &m); err != nil {
		tb.Fatalf("decode document: %v", err)
	}
	edit(m)
	out, err := json.Marshal(m)
	if err != nil {
		tb.Fatalf("encode document: %v", err)
	}
	return out
}
