package dereference

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
)

func assertKey(tb testing.TB, got *httpsig.PublicKey, want *rsa.PrivateKey, owner string) {
	tb.Helper()
	k, ok := got.Key.(*rsa.PublicKey)
	if !ok || !k.Equal(&want.PublicKey) {
		tb.Errorf("key = %T, not the expected one", got.Key)
	}
	if got.Owner != owner {
		tb.Errorf("owner = %s, want %s", got.Owner, owner)
	}
}

func TestResolveKeyShapes(t *testing.T) {
	remote := dereftest.NewRemote(t)
	base := remote.URL
	hosts := map[string]string{"https://gts.example": base}
	bob := base + "/users/bob"
	gtsActor := dereftest.WithKey(t, dereftest.Fixture(t, "gotosocial_actor.json", hosts), bob+"/main-key", bob, dereftest.Key("bob"))
	remote.Serve("/users/bob", gtsActor)
	// GoToSocial answers its key URL with a stand-in of the actor.
	remote.Serve("/users/bob/main-key", dereftest.Edit(t, gtsActor, func(m map[string]any) {
		for k := range m {
			if k != "id" && k != "type" && k != "publicKey" && k != "@context" {
				delete(m, k)
			}
		}
	}))
	erin := base + "/author/erin/"
	remote.Serve("/author/erin/", actorDoc(t, erin, base+"/keys/erin", "erin"))
	remote.Serve("/keys/erin", []byte(`{"id":"`+base+`/keys/erin","type":"CryptographicKey","owner":"`+erin+`","publicKeyPem":"x"}`))
	alice := base + "/users/alice"
	remote.Serve("/users/alice", actorDoc(t, alice, alice+"#main-key", "alice"))

	tests := []struct {
		name      string
		keyID     string
		key       *rsa.PrivateKey
		owner     string
		wantPaths map[string]int
	}{
		{"mastodon fragment key: one fetch of the actor", alice + "#main-key", dereftest.Key("alice"), alice,
			map[string]int{"/users/alice": 1}},
		{"gotosocial key path answered with the actor", bob + "/main-key", dereftest.Key("bob"), bob,
			map[string]int{"/users/bob/main-key": 1, "/users/bob": 1}},
		{"standalone key document", base + "/keys/erin", dereftest.Key("erin"), erin,
			map[string]int{"/keys/erin": 1, "/author/erin/": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			before := map[string]int{}
			for p := range tt.wantPaths {
				before[p] = remote.Hits(p)
			}
			got, err := e.fetcher.ResolveKey(ctx, tt.keyID, false)
			if err != nil {
				t.Fatalf("ResolveKey: %v", err)
			}
			assertKey(t, got, tt.key, tt.owner)
			for p, n := range tt.wantPaths {
				if d := remote.Hits(p) - before[p]; d != n {
					t.Errorf("%s fetched %d times, want %d", p, d, n)
				}
			}
			// Second time: from the store, no request.
			total := remote.Total()
			if got, err = e.fetcher.ResolveKey(ctx, tt.keyID, false); err != nil {
				t.Fatalf("cached ResolveKey: %v", err)
			}
			assertKey(t, got, tt.key, tt.owner)
			if remote.Total() != total {
				t.Error("a stored key was fetched again")
			}
			if a := mustStoredActor(t, e.store, tt.owner); a.KeyID != tt.keyID {
				t.Errorf("stored key id %s, want %s", a.KeyID, tt.keyID)
			}
		})
	}
}

func TestResolveKeyRefusals(t *testing.T) {
	remote := dereftest.NewRemote(t)
	other := dereftest.NewRemote(t)
	base := remote.URL
	// The actor lists a key whose owner is someone else.
	remote.Serve("/users/mallory", dereftest.Edit(t, actorDoc(t, base+"/users/mallory", base+"/users/mallory#main-key", "mallory"),
		func(m map[string]any) { m["publicKey"].(map[string]any)["owner"] = base + "/users/alice" }))
	// A key document names an owner on another host.
	remote.Serve("/keys/k1", []byte(`{"id":"`+base+`/keys/k1","owner":"`+other.URL+`/users/x","publicKeyPem":"x"}`))
	other.Serve("/users/x", actorDoc(t, other.URL+"/users/x", base+"/keys/k1", "mallory"))
	// A key document names an owner that does not list the key.
	remote.Serve("/keys/k2", []byte(`{"id":"`+base+`/keys/k2","owner":"`+base+`/users/dan","publicKeyPem":"x"}`))
	remote.Serve("/users/dan", actorDoc(t, base+"/users/dan", base+"/users/dan#main-key", "dan"))
	// A key document whose id is not the key asked for.
	remote.Serve("/keys/k3", []byte(`{"id":"`+base+`/keys/other","owner":"`+base+`/users/dan","publicKeyPem":"x"}`))
	// The actor's document claims to be someone else.
	remote.Serve("/users/eve", actorDoc(t, base+"/users/alice", base+"/users/alice#main-key", "eve"))
	remote.Serve("/users/alice", actorDoc(t, base+"/users/alice", base+"/users/alice#main-key", "alice"))
	remote.Handle("/users/gone", dereftest.Response{Status: http.StatusGone})
	remote.Handle("/users/broken", dereftest.Response{Status: http.StatusInternalServerError})
	remote.Serve("/users/nokey", actorDoc(t, base+"/users/nokey", "", "dan"))

	tests := []struct {
		name     string
		keyID    string
		wantGone bool
	}{
		{"key owner is not the actor", base + "/users/mallory#main-key", false},
		{"key owner on another host", base + "/keys/k1", false},
		{"owner does not list the key", base + "/keys/k2", false},
		{"key document with another id", base + "/keys/k3", false},
		{"actor document with another id", base + "/users/eve#main-key", false},
		{"actor without a key", base + "/users/nokey#main-key", false},
		{"actor gone", base + "/users/gone#main-key", true},
		{"actor missing", base + "/users/nobody#main-key", true},
		{"server error", base + "/users/broken#main-key", false},
		{"local key of no user", localBase + "/users/nobody#main-key", false},
		{"local non-key", localBase + "/objects/1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.fetcher.ResolveKey(context.Background(), tt.keyID, false)
			if !errors.Is(err, httpsig.ErrUnknownKey) {
				t.Fatalf("err = %v, want ErrUnknownKey", err)
			}
			if httpsig.StatusCode(err) != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", httpsig.StatusCode(err))
			}
			if gone := errors.Is(err, app.ErrNotFound); gone != tt.wantGone {
				t.Errorf("gone = %v, want %v (err %v)", gone, tt.wantGone, err)
			}
			if _, err := e.store.RemoteActorByKeyID(context.Background(), tt.keyID); !errors.Is(err, app.ErrNotFound) {
				t.Errorf("a refused key was stored (err %v)", err)
			}
		})
	}
}

func TestResolveKeyRemembersFailures(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	keyID := remote.URL + "/users/gone#main-key"
	remote.Handle("/users/gone", dereftest.Response{Status: http.StatusGone})
	for i := range 3 {
		if _, err := e.fetcher.ResolveKey(ctx, keyID, false); !errors.Is(err, app.ErrNotFound) {
			t.Fatalf("call %d: err = %v, want gone", i, err)
		}
	}
	if n := remote.Hits("/users/gone"); n != 1 {
		t.Errorf("gone key fetched %d times, want 1", n)
	}
	e.clock.Advance(DefaultNegativeTTL + time.Second)
	_, _ = e.fetcher.ResolveKey(ctx, keyID, false)
	if n := remote.Hits("/users/gone"); n != 2 {
		t.Errorf("after the negative TTL: fetched %d times, want 2", n)
	}
}

func TestResolveKeyRefreshAfterRotation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/users/alice"
	keyID := id + "#main-key"
	remote.Serve("/users/alice", actorDoc(t, id, keyID, "alice"))
	if _, err := e.fetcher.ResolveKey(ctx, keyID, false); err != nil {
		t.Fatal(err)
	}
	remote.Serve("/users/alice", actorDoc(t, id, keyID, "alice-rotated"))

	// Right after a fetch, a refresh answers from the store: forged
	// signatures must not make us fetch in a loop.
	got, err := e.fetcher.ResolveKey(ctx, keyID, true)
	if err != nil {
		t.Fatal(err)
	}
	assertKey(t, got, dereftest.Key("alice"), id)
	if n := remote.Hits("/users/alice"); n != 1 {
		t.Fatalf("refresh within MinRefreshInterval fetched: %d requests", n)
	}
	e.clock.Advance(MinRefreshInterval + time.Second)
	if got, err = e.fetcher.ResolveKey(ctx, keyID, true); err != nil {
		t.Fatal(err)
	}
	assertKey(t, got, dereftest.Key("alice-rotated"), id)
	if got, err = e.fetcher.ResolveKey(ctx, keyID, false); err != nil {
		t.Fatal(err)
	}
	assertKey(t, got, dereftest.Key("alice-rotated"), id)
}

func TestResolveLocalKeys(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	inst, err := e.keys.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := dereftest.PublicPEM(t, dereftest.Key("carol"))
	if err := e.store.CreateUser(ctx, &app.User{Username: "carol", PublicKeyPEM: pubPEM}, app.UserSecrets{PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	got, err := e.fetcher.ResolveKey(ctx, e.urls.InstanceKeyID(), false)
	if err != nil {
		t.Fatal(err)
	}
	want, err := httpsig.ParsePublicKeyPEM(inst.PublicKeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if !want.(*rsa.PublicKey).Equal(got.Key) || got.Owner != e.urls.InstanceActor() {
		t.Errorf("instance key = %+v", got)
	}
	got, err = e.fetcher.ResolveKey(ctx, e.urls.KeyID("carol"), false)
	if err != nil {
		t.Fatal(err)
	}
	assertKey(t, got, dereftest.Key("carol"), e.urls.Actor("carol"))
}
