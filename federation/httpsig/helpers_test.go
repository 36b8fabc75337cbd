package httpsig

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fixtures keyed by name: RSA-2048 keys are slow to make, so each is made
// once per test binary.
var (
	testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	aliceKey     = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })
	aliceNewKey  = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })
	malloryKey   = sync.OnceValue(func() *rsa.PrivateKey { return mustRSA() })
	edPub, edKey = mustEd25519()
)

const (
	aliceKeyID = "https://remote.example/users/alice#main-key"
	aliceActor = "https://remote.example/users/alice"
	gtsKeyID   = "https://gts.example/users/bob/main-key"
	gtsActor   = "https://gts.example/users/bob"
	edKeyID    = "https://ed.example/actor#ed25519-key"
	edActor    = "https://ed.example/actor"
	inboxURL   = "https://plaudit.example/users/carol/inbox"
	outboxURL  = "https://plaudit.example/users/carol/outbox?page=true&min_id=5"
)

var likeBody = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.example/users/alice#likes/1","type":"Like","actor":"https://remote.example/users/alice","object":"https://plaudit.example/things/1"}`)

func mustRSA() *rsa.PrivateKey {
	k, err := GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
}

func mustEd25519() (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return pub, priv
}

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// resolverCall records one ResolveKey call.
type resolverCall struct {
	KeyID   string
	Refresh bool
}

// fakeResolver answers from keys, or from fresh when asked to refresh.
type fakeResolver struct {
	mu    sync.Mutex
	keys  map[string]*PublicKey
	fresh map[string]*PublicKey
	calls []resolverCall
}

func newResolver() *fakeResolver {
	return &fakeResolver{keys: map[string]*PublicKey{
		aliceKeyID: {Key: &aliceKey().PublicKey, Owner: aliceActor},
		gtsKeyID:   {Key: &aliceKey().PublicKey, Owner: gtsActor},
		edKeyID:    {Key: edPub, Owner: edActor},
	}, fresh: map[string]*PublicKey{}}
}

func (f *fakeResolver) ResolveKey(_ context.Context, keyID string, refresh bool) (*PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, resolverCall{KeyID: keyID, Refresh: refresh})
	if k, ok := f.fresh[keyID]; ok && refresh {
		return k, nil
	}
	if k, ok := f.keys[keyID]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("no actor for %s: %w", keyID, ErrUnknownKey)
}

func (f *fakeResolver) Calls() []resolverCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]resolverCall(nil), f.calls...)
}

func mustVerifier(tb testing.TB, opts Options) *Verifier {
	tb.Helper()
	if opts.Now == nil {
		opts.Now = fixedClock(testNow)
	}
	v, err := NewVerifier(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func newRequest(tb testing.TB, method, url string) *http.Request {
	tb.Helper()
	r, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/activity+json")
	} else {
		r.Header.Set("Accept", "application/activity+json")
	}
	return r
}

// signedPost is a POST of body to url signed by Plaudit's Signer at time at.
func signedPost(tb testing.TB, key *rsa.PrivateKey, at time.Time, url string, body []byte) *http.Request {
	tb.Helper()
	r := newRequest(tb, http.MethodPost, url)
	if err := NewSigner(aliceKeyID, key).WithClock(fixedClock(at)).SignPOST(r, body); err != nil {
		tb.Fatal(err)
	}
	return r
}

// signedGet is a GET of url signed by Plaudit's Signer at testNow.
func signedGet(tb testing.TB, url string, withQuery bool) *http.Request {
	tb.Helper()
	r := newRequest(tb, http.MethodGet, url)
	if err := NewSigner(aliceKeyID, aliceKey()).WithClock(fixedClock(testNow)).SignGET(r, withQuery); err != nil {
		tb.Fatal(err)
	}
	return r
}

// wire sends the client request r with body through HTTP/1.1 framing and
// returns it as a server receives it: Host moved to r.Host, RequestURI set.
func wire(tb testing.TB, r *http.Request, body []byte) *http.Request {
	tb.Helper()
	sr, err := wireErr(r, body)
	if err != nil {
		tb.Fatal(err)
	}
	return sr
}

func wireErr(r *http.Request, body []byte) (*http.Request, error) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		return nil, err
	}
	return http.ReadRequest(bufio.NewReader(&buf))
}

// handSign signs r the way another server would, without go-fed: the
// signing string built line by line and signed with key, and returns the
// Signature header value. target is the (request-target) value.
func handSign(tb testing.TB, r *http.Request, key crypto.PrivateKey, keyID, algorithm, target string, headers []string) string {
	tb.Helper()
	lines := make([]string, len(headers))
	for i, h := range headers {
		v := r.Header.Get(h)
		if h == "(request-target)" {
			v = target
		}
		lines[i] = h + ": " + v
	}
	msg := []byte(strings.Join(lines, "\n"))
	var sig []byte
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sum := sha256.Sum256(msg)
		var err error
		if sig, err = rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:]); err != nil {
			tb.Fatal(err)
		}
	case ed25519.PrivateKey:
		sig = ed25519.Sign(k, msg)
	default:
		tb.Fatalf("handSign: %T", key)
	}
	return fmt.Sprintf(`keyId="%s",algorithm="%s",headers="%s",signature="%s"`,
		keyID, algorithm, strings.Join(headers, " "), base64.StdEncoding.EncodeToString(sig))
}

func sha256Digest(body []byte) string {
	sum := sha256.Sum256(body)
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}
