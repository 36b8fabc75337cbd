package dereference

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
)

func TestActorFetchesStoresAndCaches(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	hosts := map[string]string{"https://mastodon.example": remote.URL}
	id := remote.URL + "/users/alice"
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", hosts), id+"#main-key", id, dereftest.Key("alice"))
	remote.Serve("/users/alice", doc)

	a, err := e.fetcher.Actor(ctx, id, false)
	if err != nil {
		t.Fatalf("Actor: %v", err)
	}
	wantHost := strings.TrimPrefix(remote.URL, "http://")
	if a.URI != id || a.Host != wantHost || a.KeyID != id+"#main-key" || a.Inbox != id+"/inbox" ||
		a.SharedInbox != remote.URL+"/inbox" || a.PreferredUsername != "alice" || a.Document != string(doc) {
		t.Errorf("stored actor = %+v", a)
	}
	if a.PublicKeyPEM != strings.TrimSpace(dereftest.PublicPEM(t, dereftest.Key("alice"))) {
		t.Error("stored key is not the served one")
	}

	steps := []struct {
		name     string
		advance  time.Duration
		refresh  bool
		wantHits int
	}{
		{"fresh copy comes from the store", 0, false, 1},
		{"refresh fetches again", 0, true, 2},
		{"still fresh after refresh", 30 * time.Minute, false, 2},
		{"older than MaxAge is fetched again", 31 * time.Minute, false, 3},
	}
	for _, s := range steps {
		e.clock.Advance(s.advance)
		if _, err := e.fetcher.Actor(ctx, id, s.refresh); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := remote.Hits("/users/alice"); got != s.wantHits {
			t.Errorf("%s: %d requests, want %d", s.name, got, s.wantHits)
		}
	}
}

func TestActorFetchIsSignedByTheInstanceActor(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/users/alice"
	remote.Serve("/users/alice", actorDoc(t, id, id+"#main-key", "alice"))
	if _, err := e.fetcher.Actor(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	reqs := remote.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	// The remote checks the signature with the instance actor's key, as
	// an authorized-fetch server would after fetching it.
	v, err := httpsig.NewVerifier(httpsig.Options{KeyResolver: e.fetcher})
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Verify(ctx, reqs[0], nil)
	if err != nil {
		t.Fatalf("fetch not verifiably signed: %v (Signature: %q)", err, reqs[0].Header.Get("Signature"))
	}
	if res.KeyID != e.urls.InstanceKeyID() || res.Owner != e.urls.InstanceActor() {
		t.Errorf("signed by %+v, want the instance actor", res)
	}
	if accept := reqs[0].Header.Get("Accept"); !strings.Contains(accept, "application/activity+json") {
		t.Errorf("Accept = %q", accept)
	}
}

func TestActorRefusals(t *testing.T) {
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	other := dereftest.NewRemote(t)
	alice := remote.URL + "/users/alice"
	note := []byte(`{"id":"` + remote.URL + `/notes/1","type":"Note","content":"hi"}`)
	remote.Serve("/users/impostor", actorDoc(t, alice, alice+"#main-key", "alice"))
	remote.Serve("/notes/1", note)
	remote.Handle("/users/gone", dereftest.Response{Status: http.StatusGone})
	remote.Handle("/@hop", dereftest.Response{Location: other.URL + "/users/carl"})
	other.Serve("/users/carl", actorDoc(t, remote.URL+"/users/carl", remote.URL+"/users/carl#main-key", "alice"))

	tests := []struct {
		name     string
		uri      string
		wantCode string
	}{
		{"document claims another id", remote.URL + "/users/impostor", app.EINVALID},
		{"not an actor", remote.URL + "/notes/1", app.EINVALID},
		{"gone", remote.URL + "/users/gone", app.ENOTFOUND},
		{"missing", remote.URL + "/users/nobody", app.ENOTFOUND},
		{"redirect to a host that claims the first host's actor", remote.URL + "/@hop", app.EINVALID},
		{"local actor", localBase + "/users/carol", app.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := e.fetcher.Actor(ctx, tt.uri, false)
			if errCode(err) != tt.wantCode {
				t.Fatalf("err = %v, want code %s", err, tt.wantCode)
			}
			assertNoActor(t, e.store, tt.uri)
			assertNoActor(t, e.store, alice)
			assertNoActor(t, e.store, remote.URL+"/users/carl")
		})
	}
}

func TestActorGoneMarksStoredCopyDeleted(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/users/alice"
	remote.Serve("/users/alice", actorDoc(t, id, id+"#main-key", "alice"))
	if _, err := e.fetcher.Actor(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	remote.Handle("/users/alice", dereftest.Response{Status: http.StatusGone})
	if _, err := e.fetcher.Actor(ctx, id, true); errCode(err) != app.ENOTFOUND {
		t.Fatalf("refresh of a gone actor: err = %v, want not found", err)
	}
	if a := mustStoredActor(t, e.store, id); a.DeletedAt == nil {
		t.Fatal("gone actor not marked deleted")
	}
	// Known deleted: answered without a request.
	hits := remote.Hits("/users/alice")
	if _, err := e.fetcher.Actor(ctx, id, false); errCode(err) != app.ENOTFOUND {
		t.Fatalf("deleted actor: err = %v, want not found", err)
	}
	if remote.Hits("/users/alice") != hits {
		t.Error("a deleted actor was fetched again without refresh")
	}
}

func TestActorRedirectOnSameHost(t *testing.T) {
	e := newEnv(t)
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/users/alice"
	remote.Handle("/@alice", dereftest.Response{Location: "/users/alice"})
	remote.Serve("/users/alice", actorDoc(t, id, id+"#main-key", "alice"))
	a, err := e.fetcher.Actor(context.Background(), remote.URL+"/@alice", false)
	if err != nil {
		t.Fatal(err)
	}
	if a.URI != id {
		t.Errorf("stored under %s, want %s", a.URI, id)
	}
	mustStoredActor(t, e.store, id)
}

func TestActorStaleCopyWhenRefreshFails(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	id := remote.URL + "/users/alice"
	remote.Serve("/users/alice", actorDoc(t, id, id+"#main-key", "alice"))
	if _, err := e.fetcher.Actor(ctx, id, false); err != nil {
		t.Fatal(err)
	}
	remote.Handle("/users/alice", dereftest.Response{Status: http.StatusBadGateway})
	e.clock.Advance(2 * time.Hour)
	a, err := e.fetcher.Actor(ctx, id, false)
	if err != nil || a.URI != id {
		t.Fatalf("stale copy: %v, %v", a, err)
	}
	if remote.Hits("/users/alice") != 2 {
		t.Error("an expired copy was not refreshed")
	}
	if _, err := e.fetcher.Actor(ctx, id, true); err == nil {
		t.Fatal("a forced refresh that fails must fail, not return the stale copy")
	}
}
