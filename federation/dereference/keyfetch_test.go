package dereference

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/transport"
)

// TestKeyFetchesAreCapped: with one key fetch allowed at once, a second
// unknown key asked for while the first fetch hangs is refused with
// ErrKeyFetchBusy (a 503 for the sender) instead of a second fetch.
func TestKeyFetchesAreCapped(t *testing.T) {
	release := make(chan struct{}, 1)
	var mu sync.Mutex
	seen := 0
	keys := http.NewServeMux()
	keys.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen++
		mu.Unlock()
		<-release
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(keys)
	t.Cleanup(srv.Close)
	defer close(release)
	e := newEnv(t)
	f := New(Deps{Store: e.store, Keys: e.keys, Client: transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 10 * time.Second}),
		URLs: e.urls, KeyFetches: 1})
	base := srv.URL
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := f.ResolveKey(ctx, base+"/users/a#main-key", false)
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := seen
		mu.Unlock()
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first key fetch never reached the server")
		}
		time.Sleep(5 * time.Millisecond)
	}
	_, err := f.ResolveKey(ctx, base+"/users/b#main-key", false)
	if !errors.Is(err, httpsig.ErrKeyFetchBusy) || httpsig.StatusCode(err) != http.StatusServiceUnavailable {
		t.Fatalf("second fetch while one hangs: %v (status %d), want ErrKeyFetchBusy and 503", err, httpsig.StatusCode(err))
	}
	release <- struct{}{}
	if err := <-done; errors.Is(err, httpsig.ErrKeyFetchBusy) {
		t.Fatalf("the first fetch was refused too: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if seen != 1 {
		t.Fatalf("the key server saw %d fetches, want 1", seen)
	}
}
