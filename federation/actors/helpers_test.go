package actors_test

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/actors"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/keys"
)

const (
	base    = "https://plaudit.example"
	apJSON  = "application/activity+json"
	docType = "application/activity+json; charset=utf-8"
)

// Key generation is slow; tests share two keys: one for local users, one
// for the remote fetcher.
var (
	keysOnce                sync.Once
	userKey, remoteKey      *rsa.PrivateKey
	userPrivPEM, userPubPEM string
)

func testKeys(tb testing.TB) {
	tb.Helper()
	keysOnce.Do(func() {
		var err error
		if userKey, err = httpsig.GenerateKey(); err != nil {
			panic(err)
		}
		if remoteKey, err = httpsig.GenerateKey(); err != nil {
			panic(err)
		}
		if userPubPEM, err = httpsig.EncodePublicKeyPEM(&userKey.PublicKey); err != nil {
			panic(err)
		}
		if userPrivPEM, err = httpsig.EncodePrivateKeyPEM(userKey); err != nil {
			panic(err)
		}
	})
}

// env is one instance's actor endpoints on a fresh database.
type env struct {
	store  *store.Store
	urls   federation.URLs
	keys   *keys.Keyring
	engine *http.ServeMux
}

func newEnv(tb testing.TB, mod func(*actors.Deps)) *env {
	tb.Helper()
	testKeys(tb)
	s := storetest.Open(tb)
	urls := federation.NewURLs(base)
	kr := keys.New(s, urls)
	deps := actors.Deps{Users: s.Users, Follows: s.Follows, Activities: s.Activities, URLs: urls, Keys: kr, PageSize: 10, HTML: func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<html>profile of " + r.PathValue("name") + "</html>"))
	}}
	if mod != nil {
		mod(&deps)
	}
	h := actors.New(deps)
	mux := http.NewServeMux()
	// The routes as web mounts them.
	mux.HandleFunc("GET /users/{name}", h.ServeActor)
	mux.HandleFunc("GET /actor", h.ServeInstanceActor)
	mux.HandleFunc("GET /users/{name}/followers", h.Signed(h.ServeFollowers))
	mux.HandleFunc("GET /users/{name}/following", h.Signed(h.ServeFollowing))
	mux.HandleFunc("GET /users/{name}/outbox", h.Signed(h.ServeOutbox))
	mux.HandleFunc("GET /actor/outbox", h.Signed(h.ServeInstanceOutbox))
	mux.HandleFunc("GET /activities/{id}", h.Signed(h.ServeActivity))
	mux.HandleFunc("GET /objects/{id}", h.Signed(h.ServeObject))
	return &env{store: s, urls: urls, keys: kr, engine: mux}
}

func (e *env) mustUser(tb testing.TB, u app.User) *app.User {
	tb.Helper()
	if u.CreatedAt.IsZero() {
		u.CreatedAt = time.Now().UTC()
	}
	u.UpdatedAt, u.PublicKeyPEM = u.CreatedAt, userPubPEM
	if err := e.store.CreateUser(context.Background(), &u, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: userPrivPEM}); err != nil {
		tb.Fatalf("create user %s: %v", u.Username, err)
	}
	return &u
}

func (e *env) mustFollow(t *testing.T, follower, followee, state string) {
	t.Helper()
	f := &app.Follow{ActivityURI: follower + "#follows/" + followee, FollowerURI: follower, FolloweeURI: followee, State: state}
	if err := e.store.UpsertFollow(context.Background(), f); err != nil {
		t.Fatalf("follow: %v", err)
	}
}

// mustActivity stores an activity whose document is built from its fields.
func (e *env) mustActivity(t *testing.T, a app.Activity, object any) *app.Activity {
	t.Helper()
	if a.Document == "" {
		doc := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "id": a.URI, "type": a.Type, "actor": a.ActorURI}
		if object != nil {
			doc["object"] = object
		}
		b, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		a.Document = string(b)
	}
	if a.State == "" {
		a.State = app.ActivityPublished
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now().UTC()
	}
	if ok, err := e.store.InsertActivity(context.Background(), &a); err != nil || !ok {
		t.Fatalf("insert activity %s: %v %v", a.URI, ok, err)
	}
	return &a
}

func (e *env) get(t *testing.T, target, accept string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	e.engine.ServeHTTP(w, r)
	return w
}

func mustDecode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %q: %v", w.Body.String(), err)
	}
}

// fakeKeys resolves the keys it was given.
type fakeKeys map[string]*httpsig.PublicKey

func (f fakeKeys) ResolveKey(_ context.Context, keyID string, _ bool) (*httpsig.PublicKey, error) {
	if k, ok := f[keyID]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("key %s: %w", keyID, httpsig.ErrUnknownKey)
}

// fakeModeration blocks the actors it lists.
type fakeModeration map[string]bool

func (f fakeModeration) Allows(_ context.Context, _, actorURI string) (bool, error) {
	return !f[actorURI], nil
}

func jsonUnmarshal(data []byte, v any) error { return json.Unmarshal(data, v) }

func keysOf(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// activityRow is a public Create by alice of the object n1.
func activityRow(id string) app.Activity {
	return app.Activity{URI: base + "/activities/" + id, Type: "Create", ActorURI: base + "/users/alice",
		ObjectURI: base + "/objects/n1", Local: true, Public: true}
}
