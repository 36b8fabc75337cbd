package inbox

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

func TestDuplicateDeliveryIsStoredAndProcessedOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	body := e.fixture("mastodon_follow.json")
	base := time.Now()
	for i := range 3 {
		// Each delivery is signed afresh (a new Date), as a retry would be.
		req := e.build(request{body: body, as: &alice, date: base.Add(time.Duration(-i) * time.Second)})
		if status, msg := e.send(req); status != http.StatusAccepted {
			t.Fatalf("delivery %d: %d %s", i, status, msg)
		}
	}
	if n := e.count(&app.Activity{}, "local = ?", false); n != 1 {
		t.Fatalf("%d activity rows, want 1", n)
	}
	if ids := e.queue.IDs(); len(ids) != 1 {
		t.Fatalf("enqueued %v, want once", ids)
	}
	e.processFrom(0)
	e.processFrom(0) // the job ran twice
	if n := e.count(&app.Follow{}, ""); n != 1 {
		t.Errorf("%d follows, want 1", n)
	}
	if n := len(e.publisher.Calls()); n != 1 {
		t.Errorf("%d Accepts published, want 1", n)
	}
}

func TestProcessIsIdempotentEvenWhenRunAgain(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	thing := e.urls.Object("thing-1")
	bodies := [][]byte{
		e.fixture("mastodon_follow.json"),
		e.edit(e.fixture("mastodon_like.json"), func(m map[string]any) { m["object"] = thing }),
		e.fixture("mastodon_create_note.json"),
	}
	for _, b := range bodies {
		e.deliver(alice, b)
	}
	// A crash after the effects but before the state was saved: the row is
	// pending again and, once the claim's lease ran out, the job runs once
	// more.
	for _, id := range e.queue.IDs() {
		if err := e.store.SetActivityState(ctx, id, app.ActivityPending, "", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := e.store.ReleaseActivity(ctx, id, 0, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	e.processFrom(0)
	checks := []struct {
		name  string
		model any
		want  int64
	}{
		{"follows", &app.Follow{}, 1},
		{"likes", &app.Like{}, 1},
		{"remote objects", &app.RemoteObject{}, 1},
		{"published Accepts", &app.Activity{}, 4}, // 3 received + 1 Accept
	}
	for _, c := range checks {
		if n := e.count(c.model, ""); n != c.want {
			t.Errorf("%s: %d rows, want %d", c.name, n, c.want)
		}
	}
	if n := len(e.publisher.Calls()); n != 1 {
		t.Errorf("%d Accepts published, want 1", n)
	}
}

func TestRefusals(t *testing.T) {
	likeOf := func(e *env, actor remoteActor, n int) []byte {
		return e.mustJSON(as2.NewActivity(actor.id+"#likes/"+strconv.Itoa(n), "Like", actor.id, e.urls.Object("thing-1")))
	}
	tests := []struct {
		name       string
		opts       envOptions
		setup      func(e *env)
		request    func(e *env) request
		wantStatus int
		wantError  string
	}{
		{"unsigned", envOptions{}, nil, func(e *env) request {
			return request{body: likeOf(e, e.alice(), 1), unsigned: true}
		}, http.StatusUnauthorized, "not signed"},
		{"signed with the wrong key", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, key: dereftestKey("mallory")}
		}, http.StatusUnauthorized, "does not verify"},
		{"tampered body", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 2), signedBody: likeOf(e, a, 1), as: &a}
		}, http.StatusUnauthorized, "digest"},
		{"stale date", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, date: time.Now().Add(-2 * time.Hour)}
		}, http.StatusUnauthorized, "window"},
		{"date far in the future", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, date: time.Now().Add(2 * time.Hour)}
		}, http.StatusUnauthorized, "window"},
		{"actor is not the key owner", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, e.bob(), 1), as: &a}
		}, http.StatusUnauthorized, "not the owner"},
		{"signed for another server", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, host: "other.example"}
		}, http.StatusMisdirectedRequest, "other.example"},
		{"unknown key", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, keyID: e.hosts["https://mastodon.example"] + "/users/nobody#main-key"}
		}, http.StatusUnauthorized, "unknown signing key"},
		{"body over the limit", envOptions{bodyLimit: 512}, nil, func(e *env) request {
			a := e.alice()
			body := e.edit(likeOf(e, a, 1), func(m map[string]any) { m["content"] = strings.Repeat("x", 600) })
			return request{body: body, as: &a}
		}, http.StatusRequestEntityTooLarge, "larger than 512"},
		{"malformed JSON", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: []byte(`{"type":"Like",`), as: &a}
		}, http.StatusBadRequest, "malformed"},
		{"invalid UTF-8", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			body := bytes.Replace(likeOf(e, a, 1), []byte(`"Like"`), []byte("\"Like\",\"content\":\"\xff\xfe\""), 1)
			return request{body: body, as: &a}
		}, http.StatusBadRequest, "UTF-8"},
		{"activity without an id", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: []byte(`{"type":"Like","actor":"` + a.id + `"}`), as: &a}
		}, http.StatusBadRequest, "missing id"},
		{"activity id on another host", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			body := e.edit(likeOf(e, a, 1), func(m map[string]any) { m["id"] = e.bob().id + "#likes/1" })
			return request{body: body, as: &a}
		}, http.StatusBadRequest, "not on the host"},
		{"not JSON", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a, contentType: "text/plain"}
		}, http.StatusUnsupportedMediaType, "content type"},
		{"actor on a blocked domain", envOptions{}, func(e *env) {
			if _, err := e.mod.BlockDomain(context.Background(), "127.0.0.1", app.BlockReject, "test"); err != nil {
				e.t.Fatal(err)
			}
		}, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a}
		}, http.StatusForbidden, "blocked"},
		{"blocked actor", envOptions{}, func(e *env) {
			if err := e.mod.BlockActor(context.Background(), e.alice().id, "test"); err != nil {
				e.t.Fatal(err)
			}
		}, func(e *env) request {
			a := e.alice()
			return request{body: likeOf(e, a, 1), as: &a}
		}, http.StatusForbidden, "blocked"},
		{"unknown local user", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{path: "/users/nobody/inbox", body: likeOf(e, a, 1), as: &a}
		}, http.StatusNotFound, "no such user"},
		{"invalid user name", envOptions{}, nil, func(e *env) request {
			a := e.alice()
			return request{path: "/users/No%20Body/inbox", body: likeOf(e, a, 1), as: &a}
		}, http.StatusNotFound, "no such user"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.opts)
			if tt.setup != nil {
				tt.setup(e)
			}
			status, body := e.post(tt.request(e))
			if status != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", status, body, tt.wantStatus)
			}
			if !strings.Contains(body, `"error":`) || !strings.Contains(body, tt.wantError) {
				t.Errorf("body %s, want a JSON error mentioning %q", body, tt.wantError)
			}
			assertNothingStored(t, e)
			if !strings.Contains(e.logs.String(), "inbox: request refused") || !strings.Contains(e.logs.String(), "status="+strconv.Itoa(tt.wantStatus)) {
				t.Errorf("refusal not logged:\n%s", e.logs.String())
			}
		})
	}
}

func assertNothingStored(tb testing.TB, e *env) {
	tb.Helper()
	for name, model := range map[string]any{"activities": &app.Activity{}, "likes": &app.Like{}, "follows": &app.Follow{}} {
		if n := e.count(model, ""); n != 0 {
			tb.Errorf("%d %s stored, want none", n, name)
		}
	}
	if ids := e.queue.IDs(); len(ids) != 0 {
		tb.Errorf("enqueued %v, want nothing", ids)
	}
}

func TestReplayedRequestIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	body := e.fixture("mastodon_follow.json")
	req := e.build(request{body: body, as: &alice})
	replay := req.Clone(context.Background())
	replay.Body = nopCloser(body)
	if status, msg := e.send(req); status != http.StatusAccepted {
		t.Fatalf("first: %d %s", status, msg)
	}
	status, msg := e.send(replay)
	if status != http.StatusUnauthorized || !strings.Contains(msg, "already used") {
		t.Fatalf("replay: %d %s, want 401", status, msg)
	}
	if n := e.count(&app.Activity{}, ""); n != 1 {
		t.Errorf("%d activities, want 1", n)
	}
}

func TestPersonalAndInstanceInboxes(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	for i, path := range []string{"/users/carol/inbox", "/users/CAROL/inbox", "/actor/inbox", "/inbox"} {
		body := e.mustJSON(as2.NewActivity(alice.id+"#likes/p"+strconv.Itoa(i), "Like", alice.id, e.urls.Object("t")))
		if status, msg := e.post(request{path: path, body: body, as: &alice}); status != http.StatusAccepted {
			t.Fatalf("%s: %d %s", path, status, msg)
		}
	}
	for uri, owner := range map[string]string{alice.id + "#likes/p0": "carol", alice.id + "#likes/p1": "carol", alice.id + "#likes/p2": "", alice.id + "#likes/p3": ""} {
		// A Like is applied as it is stored (see TestLikesAppliedAsStored).
		if a := e.activity(uri); a.InboxOwner != owner || a.State != app.ActivityProcessed {
			t.Errorf("%s: owner %q state %s, want %q processed", uri, a.InboxOwner, a.State, owner)
		}
	}
}

func TestContentTypesAccepted(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	for i, ct := range []string{
		"application/activity+json",
		`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`,
		"application/json; charset=utf-8",
	} {
		body := e.mustJSON(as2.NewActivity(alice.id+"#likes/ct"+strconv.Itoa(i), "Like", alice.id, e.urls.Object("t")))
		if status, msg := e.post(request{body: body, as: &alice, contentType: ct}); status != http.StatusAccepted {
			t.Errorf("%s: %d %s", ct, status, msg)
		}
	}
}

func TestEnqueueFailureStillAccepts(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.queue.fail = true
	alice := e.alice()
	if status, msg := e.post(request{body: e.fixture("mastodon_follow.json"), as: &alice}); status != http.StatusAccepted {
		t.Fatalf("%d %s", status, msg)
	}
	if n := e.count(&app.Activity{}, "state = ?", app.ActivityPending); n != 1 {
		t.Fatalf("%d pending rows, want 1 for the sweep", n)
	}
}

func TestRateLimitPerHost(t *testing.T) {
	now := time.Now()
	e := newEnv(t, envOptions{rateLimit: 1, rateBurst: 2, now: func() time.Time { return now }})
	alice, bob := e.alice(), e.bob()
	send := func(a remoteActor, n int) (int, *http.Response) {
		body := e.mustJSON(as2.NewActivity(a.id+"#likes/r"+strconv.Itoa(n), "Like", a.id, e.urls.Object("t")))
		resp, err := e.server.Client().Do(e.build(request{body: body, as: &a}))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp
	}
	for i := range 2 {
		if status, _ := send(alice, i); status != http.StatusAccepted {
			t.Fatalf("request %d within the burst: %d", i, status)
		}
	}
	status, resp := send(alice, 2)
	if status != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("over the limit: %d, Retry-After %q; want 429 and 1", status, resp.Header.Get("Retry-After"))
	}
	// bob's server is on the same IP but has a host (and port) of its own.
	if status, _ := send(bob, 0); status != http.StatusAccepted {
		t.Fatalf("another host: %d, want 202", status)
	}
	now = now.Add(time.Second)
	if status, _ := send(alice, 3); status != http.StatusAccepted {
		t.Fatalf("a second later: %d, want 202", status)
	}
	if n := e.count(&app.Activity{}, ""); n != 4 {
		t.Errorf("%d activities stored, want 4 (the refused one not)", n)
	}
}

func nopCloser(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// TestVerifiedSenderMarkedReachable: a server that sends to us is up, so
// deliveries to it may resume; unverified requests say nothing about it.
func TestVerifiedSenderMarkedReachable(t *testing.T) {
	var mu sync.Mutex
	var hosts []string
	e := newEnv(t, envOptions{reachable: func(_ context.Context, host string) error {
		mu.Lock()
		defer mu.Unlock()
		hosts = append(hosts, host)
		return nil
	}})
	alice := e.alice()
	if status, msg := e.post(request{body: e.fixture("mastodon_follow.json"), as: &alice}); status != http.StatusAccepted {
		t.Fatalf("POST = %d %s", status, msg)
	}
	mu.Lock()
	got := append([]string(nil), hosts...)
	mu.Unlock()
	if len(got) != 1 || got[0] != dereference.HostOf(alice.id) {
		t.Fatalf("reachable hosts = %v, want [%s]", got, dereference.HostOf(alice.id))
	}
}
