package transport

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWithSigner: the copy signs with its own signer, the original keeps
// its own, and both send through one connection pool.
func TestWithSigner(t *testing.T) {
	var (
		mu   sync.Mutex
		sigs []string
	)
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sigs = append(sigs, r.Header.Get("Signature"))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}), false)
	base := &fakeSigner{}
	c := devClient(Options{Signer: base})
	alice, bob := &fakeSigner{}, &fakeSigner{}
	ctx := context.Background()

	for i, client := range []*Client{c.WithSigner(alice), c.WithSigner(bob), c, c.WithSigner(nil)} {
		if _, err := client.Post(ctx, s.URL+"/inbox", []byte(fmt.Sprintf(`{"n":%d}`, i))); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if diff := cmp.Diff([][]byte{[]byte(`{"n":0}`)}, alice.postCalls()); diff != "" {
		t.Errorf("alice signed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]byte{[]byte(`{"n":1}`)}, bob.postCalls()); diff != "" {
		t.Errorf("bob signed (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]byte{[]byte(`{"n":2}`)}, base.postCalls()); diff != "" {
		t.Errorf("the original client's signer signed (-want +got):\n%s", diff)
	}
	signed := fakeSignature("/inbox", true)
	if diff := cmp.Diff([]string{signed, signed, signed, ""}, sigs); diff != "" {
		t.Errorf("Signature headers seen by the server (-want +got):\n%s", diff)
	}
	// Sequential requests over shared keep-alive connections: one TCP
	// connection for all four, which proves the pool is shared.
	if n := s.ln.accepts.Load(); n != 1 {
		t.Errorf("server accepted %d connections, want 1 (shared pool)", n)
	}
}

// TestWithSignerKeepsGuard: the copy refuses what the original refuses.
func TestWithSignerKeepsGuard(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}), false)
	c := New(Options{AllowHTTP: true}) // private addresses forbidden
	_, err := c.WithSigner(&fakeSigner{}).Post(context.Background(), s.URL+"/inbox", []byte(`{}`))
	if !IsPermanent(err) {
		t.Fatalf("post to loopback through a guarded copy: err = %v, want a refusal", err)
	}
	s.assertUntouched(t)
}
