package dereference

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/transport"
)

// Every server in these tests is a dereftest.Remote on 127.0.0.1.

const localBase = "https://plaudit.example"

// clock is a settable time source.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// env is a Fetcher on a fresh store.
type env struct {
	store   *store.Store
	fetcher *Fetcher
	keys    *keys.Keyring
	urls    federation.URLs
	clock   *clock
}

func newEnv(tb testing.TB) *env {
	tb.Helper()
	return newEnvTimeout(tb, 5*time.Second)
}

// newEnvTimeout is newEnv with a client that gives up after timeout.
func newEnvTimeout(tb testing.TB, timeout time.Duration) *env {
	tb.Helper()
	s := storetest.Open(tb)
	urls := federation.NewURLs(localBase)
	kr := keys.New(s, urls)
	c := &clock{now: time.Now().UTC()}
	client := transport.New(transport.Options{
		AllowHTTP: true, AllowPrivateAddresses: true, Timeout: timeout,
		Signer: NewInstanceSigner(kr),
	})
	tb.Cleanup(client.CloseIdleConnections)
	f := New(Deps{Store: s, Keys: kr, Client: client, URLs: urls, MaxAge: time.Hour, Now: c.Now})
	return &env{store: s, fetcher: f, keys: kr, urls: urls, clock: c}
}

// actorDoc is a minimal Mastodon-like actor at base+path with key.
func actorDoc(tb testing.TB, id, keyID string, keyName string) []byte {
	tb.Helper()
	doc := as2.ActorDocument(as2.ActorSpec{
		ID: id, PreferredUsername: "someone", Inbox: id + "/inbox", Outbox: id + "/outbox",
		Followers: id + "/followers", PublicKeyID: keyID,
		PublicKeyPEM: dereftest.PublicPEM(tb, dereftest.Key(keyName)),
	})
	data, err := doc.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func errCode(err error) string { return app.ErrorCode(err) }

func mustStoredActor(tb testing.TB, s *store.Store, uri string) *app.RemoteActor {
	tb.Helper()
	a, err := s.RemoteActorByURI(context.Background(), uri)
	if err != nil {
		tb.Fatalf("stored actor %s: %v", uri, err)
	}
	return a
}

func assertNoActor(tb testing.TB, s *store.Store, uri string) {
	tb.Helper()
	if _, err := s.RemoteActorByURI(context.Background(), uri); !errors.Is(err, app.ErrNotFound) {
		tb.Fatalf("actor %s: want not stored, got err %v", uri, err)
	}
}
