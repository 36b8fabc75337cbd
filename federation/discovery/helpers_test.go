package discovery_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/discovery"
)

// env is one instance's discovery endpoints on a fresh database.
type env struct {
	store  *store.Store
	urls   federation.URLs
	engine *http.ServeMux
}

func newEnv(t *testing.T, baseURL string, mod func(*discovery.Deps)) *env {
	t.Helper()
	s := storetest.Open(t)
	urls := federation.NewURLs(baseURL)
	deps := discovery.Deps{Users: s.Users, Activities: s.Activities, URLs: urls, Version: "1.2.3", SignupOpen: true, Currency: "EUR", UsageTTL: -1}
	if mod != nil {
		mod(&deps)
	}
	h := discovery.New(deps)
	mux := http.NewServeMux()
	// The routes as web mounts them.
	for path, serve := range map[string]http.HandlerFunc{
		"/.well-known/webfinger": h.ServeWebFinger, "/.well-known/host-meta": h.ServeHostMeta,
		"/.well-known/host-meta.json": h.ServeHostMetaJSON, "/.well-known/nodeinfo": h.ServeNodeInfoLinks,
		"/nodeinfo/2.0": h.ServeNodeInfo20, "/nodeinfo/2.1": h.ServeNodeInfo21,
	} {
		mux.HandleFunc("GET "+path, discovery.CORS(serve))
		mux.HandleFunc("OPTIONS "+path, discovery.Preflight)
	}
	return &env{store: s, urls: urls, engine: mux}
}

func (e *env) mustUser(t *testing.T, name string) *app.User {
	t.Helper()
	now := time.Now().UTC()
	u := &app.User{Username: name, DisplayName: name, Discoverable: true, CreatedAt: now, UpdatedAt: now}
	if err := e.store.CreateUser(context.Background(), u, app.UserSecrets{PasswordHash: "x"}); err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return u
}

func (e *env) do(t *testing.T, method, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	w := httptest.NewRecorder()
	e.engine.ServeHTTP(w, r)
	return w
}

func mustDecode(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", w.Body.String(), err)
	}
}

// The real entity stores satisfy the consumer interfaces.
var (
	_ discovery.Users      = (*store.Users)(nil)
	_ discovery.Activities = (*store.Activities)(nil)
)
