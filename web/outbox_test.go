package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/delivery"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/outbox/outboxtest"
	"github.com/plaudit/plaudit/web"
)

const fedBase = "http://plaudit.test"

// fedQueue records enqueued deliveries.
type fedQueue struct {
	mu         sync.Mutex
	deliveries []int64
}

func (q *fedQueue) EnqueueInbox(context.Context, int64) error { return nil }

func (q *fedQueue) EnqueueDelivery(_ context.Context, id int64, _ int, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.deliveries = append(q.deliveries, id)
	return nil
}

// fedActors resolves one remote actor.
type fedActors struct{}

func (fedActors) Actor(_ context.Context, uri string, _ bool) (*app.RemoteActor, error) {
	if uri == "https://m.example/users/carol" {
		return &app.RemoteActor{URI: uri, Inbox: uri + "/inbox"}, nil
	}
	return nil, app.Errorf(app.ENOTFOUND, "no actor %s", uri)
}

func (fedActors) Object(_ context.Context, uri string) (*app.RemoteObject, error) {
	return nil, app.Errorf(app.ENOTFOUND, "no object %s", uri)
}

// fedFixture is a web server with the outbox, moderation and deliveries
// wired to real services on a fresh database; alice is a user, root an
// admin.
type fedFixture struct {
	srv        *httptest.Server
	st         *store.Store
	queue      *fedQueue
	alice, bob string // bearer tokens
	root       string
}

func newFedFixture(t *testing.T) *fedFixture {
	t.Helper()
	return newFedFixtureWith(t, func(*store.Store, federation.URLs) fedResolver { return fedActors{} })
}

// fedResolver finds remote actors and objects for the outbox.
type fedResolver interface {
	outbox.ActorResolver
	outbox.ObjectResolver
}

// newFedFixtureWith is newFedFixture with the resolver that resolve makes
// on the fixture's store.
func newFedFixtureWith(t *testing.T, resolve func(*store.Store, federation.URLs) fedResolver) *fedFixture {
	t.Helper()
	st := storetest.Open(t)
	acc, err := accounts.New(st, accounts.Options{
		SignupMode: accounts.SignupOpen,
		Argon2:     &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
	})
	if err != nil {
		t.Fatal(err)
	}
	urls := federation.NewURLs(fedBase)
	q := &fedQueue{}
	res := resolve(st, urls)
	pub := outbox.New(outbox.Deps{Tx: st, Store: st, Actors: res, Objects: res, Queue: q, URLs: urls})
	del := delivery.New(delivery.Deps{Tx: st, Store: st, Queue: q})
	h, err := web.New(web.Deps{
		Accounts: acc, Health: map[string]web.Pinger{"database": st}, Domain: "plaudit.test", BaseURL: fedBase, BodyLimit: 1 << 16,
		Outbox: outboxtest.Submitter(st, pub, res, urls), Moderation: moderation.New(st, urls.InstanceActor()), Deliveries: del,
	})
	if err != nil {
		t.Fatal(err)
	}
	f := &fedFixture{srv: httptest.NewServer(h), st: st, queue: q}
	t.Cleanup(f.srv.Close)
	ctx := context.Background()
	for _, u := range []struct {
		name  string
		admin bool
		token *string
	}{{"alice", false, &f.alice}, {"bob", false, &f.bob}, {"root", true, &f.root}} {
		if _, err := acc.CreateUser(ctx, u.name, "a long password", u.admin); err != nil {
			t.Fatal(err)
		}
		req := accounts.TokenRequest{Username: u.name, Name: "test"}
		if u.admin {
			req.Scopes = accounts.Scopes{"read", "write", "follow", "admin:read", "admin:write"}
		}
		if *u.token, _, err = acc.IssueToken(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// call sends a request with an optional bearer token and JSON body.
func (f *fedFixture) call(t *testing.T, method, path, token, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, f.srv.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/activity+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestPostOutbox(t *testing.T) {
	f := newFedFixture(t)
	note := `{"@context":"https://www.w3.org/ns/activitystreams","type":"Note","content":"hello"}`
	for name, tc := range map[string]struct {
		path, token, body string
		want              int
		wantBody          string
	}{
		"note":             {"/users/alice/outbox", "alice", note, 201, `"type":"Create"`},
		"follow":           {"/users/alice/outbox", "alice", `{"type":"Follow","object":"https://m.example/users/carol"}`, 201, `"type":"Follow"`},
		"no token":         {"/users/alice/outbox", "", note, 401, `"error"`},
		"wrong token":      {"/users/alice/outbox", "plt_nope", note, 401, `"error"`},
		"other's outbox":   {"/users/alice/outbox", "bob", note, 403, `your own outbox`},
		"bad JSON":         {"/users/alice/outbox", "alice", `{"type":`, 400, `JSON object`},
		"unsupported type": {"/users/alice/outbox", "alice", `{"type":"Announce"}`, 400, `not supported`},
		"spoofed actor":    {"/users/alice/outbox", "alice", `{"type":"Note","actor":"` + fedBase + `/users/bob"}`, 403, `must be you`},
		"too large":        {"/users/alice/outbox", "alice", `{"type":"Note","content":"` + strings.Repeat("x", 1<<16) + `"}`, 413, `larger than`},
	} {
		t.Run(name, func(t *testing.T) {
			token := map[string]string{"alice": f.alice, "bob": f.bob, "": ""}[tc.token]
			if token == "" {
				token = tc.token
			}
			resp, body := f.call(t, http.MethodPost, tc.path, token, tc.body)
			if resp.StatusCode != tc.want || !strings.Contains(body, tc.wantBody) {
				t.Fatalf("POST %s = %d %.300s, want %d with %s", tc.path, resp.StatusCode, body, tc.want, tc.wantBody)
			}
			if tc.want != 201 {
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/activity+json" {
				t.Errorf("Content-Type = %q", ct)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatal(err)
			}
			loc := resp.Header.Get("Location")
			if loc == "" || loc != doc["id"] || !strings.HasPrefix(loc, fedBase+"/activities/") {
				t.Errorf("Location = %q, activity id = %v", loc, doc["id"])
			}
			if doc["actor"] != fedBase+"/users/alice" {
				t.Errorf("actor = %v", doc["actor"])
			}
			if _, err := f.st.ActivityByURI(context.Background(), loc); err != nil {
				t.Errorf("activity %s not stored: %v", loc, err)
			}
		})
	}
	// Only POST is this file's: GET of the outbox belongs to the actors
	// handlers, mounted elsewhere.
	if resp, _ := f.call(t, http.MethodGet, "/users/alice/outbox", f.alice, ""); resp.StatusCode == http.StatusCreated {
		t.Errorf("GET /users/alice/outbox = %d", resp.StatusCode)
	}
}
