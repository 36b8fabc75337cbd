package delivery_test

import (
	"context"
	"crypto"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/delivery"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/transport"
)

// The real adapters satisfy the deliverer's consumer-side interfaces.
var (
	_ delivery.Store        = (*store.Store)(nil)
	_ delivery.Signers      = (*keys.Keyring)(nil)
	_ delivery.DomainPolicy = (*moderation.Service)(nil)
)

// Every server in these tests is an httptest server on 127.0.0.1; no test
// connects anywhere else.

const base = "https://plaudit.test"

// aliceKey is made once: RSA key generation is slow.
var aliceKey = sync.OnceValues(httpsig.GenerateKey)

// queued is one EnqueueDelivery call.
type queued struct {
	ID      int64
	Attempt int
	At      time.Time
}

// fakeQueue records delivery enqueues.
type fakeQueue struct {
	mu    sync.Mutex
	calls []queued
}

func (q *fakeQueue) EnqueueInbox(context.Context, int64) error { return nil }

func (q *fakeQueue) EnqueueDelivery(_ context.Context, id int64, attempt int, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, queued{id, attempt, at})
	return nil
}

func (q *fakeQueue) taken() []queued {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.calls
	q.calls = nil
	return out
}

// keyResolver knows alice's key only.
type keyResolver struct {
	keyID, owner string
	key          crypto.PublicKey
}

func (k keyResolver) ResolveKey(_ context.Context, keyID string, _ bool) (*httpsig.PublicKey, error) {
	if keyID != k.keyID {
		return nil, fmt.Errorf("%w: %s", httpsig.ErrUnknownKey, keyID)
	}
	return &httpsig.PublicKey{Key: k.key, Owner: k.owner}, nil
}

// noReplay remembers nothing: a quick retry of one activity may carry a
// byte-identical signature (same body, same Date second).
type noReplay struct{}

func (noReplay) Seen(context.Context, string, time.Duration) (bool, error) { return false, nil }

// inbox is a remote inbox on loopback that verifies each request's
// signature, answers with status(n) for the n-th request and counts
// concurrent requests.
type inbox struct {
	*httptest.Server
	status   func(n int) int
	delay    time.Duration
	requests atomic.Int64
	inFlight atomic.Int64
	maxIn    atomic.Int64
	mu       sync.Mutex
	accepted []string // bodies answered 2xx
	badSigs  []string
}

func (e *env) newInbox(t testing.TB, status func(n int) int) *inbox {
	t.Helper()
	priv, err := aliceKey()
	if err != nil {
		t.Fatal(err)
	}
	v, err := httpsig.NewVerifier(httpsig.Options{
		KeyResolver: keyResolver{keyID: e.urls.KeyID("alice"), owner: e.urls.Actor("alice"), key: &priv.PublicKey},
		ReplayCache: noReplay{},
	})
	if err != nil {
		t.Fatal(err)
	}
	in := &inbox{status: status}
	in.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := in.requests.Add(1)
		cur := in.inFlight.Add(1)
		defer in.inFlight.Add(-1)
		for old := in.maxIn.Load(); cur > old && !in.maxIn.CompareAndSwap(old, cur); old = in.maxIn.Load() {
		}
		body, _ := io.ReadAll(r.Body)
		res, err := v.Verify(r.Context(), r, body)
		if err != nil || res.Owner != e.urls.Actor("alice") || r.Header.Get("Content-Type") != transport.ContentTypeActivity {
			in.mu.Lock()
			in.badSigs = append(in.badSigs, fmt.Sprint(err))
			in.mu.Unlock()
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		time.Sleep(in.delay)
		code := in.status(int(n))
		if code >= 200 && code < 300 {
			in.mu.Lock()
			in.accepted = append(in.accepted, string(body))
			in.mu.Unlock()
		}
		w.WriteHeader(code)
	}))
	t.Cleanup(in.Close)
	t.Cleanup(func() {
		in.mu.Lock()
		defer in.mu.Unlock()
		if len(in.badSigs) > 0 {
			t.Errorf("inbox refused signatures: %v", in.badSigs)
		}
	})
	return in
}

func (in *inbox) acceptedBodies() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.accepted...)
}

func always(code int) func(int) int { return func(int) int { return code } }

// env is a deliverer on a fresh database, delivering alice's activities.
type env struct {
	st    *store.Store
	urls  federation.URLs
	queue *fakeQueue
	mod   *moderation.Service
	deps  delivery.Deps
	d     *delivery.Deliverer
}

func newEnv(t testing.TB, tune func(*delivery.Deps)) *env {
	t.Helper()
	e := &env{st: storetest.Open(t), urls: federation.NewURLs(base), queue: &fakeQueue{}}
	priv, err := aliceKey()
	if err != nil {
		t.Fatal(err)
	}
	privPEM, _ := httpsig.EncodePrivateKeyPEM(priv)
	pubPEM, _ := httpsig.EncodePublicKeyPEM(&priv.PublicKey)
	now := time.Now().UTC()
	u := &app.User{Username: "alice", PublicKeyPEM: pubPEM, CreatedAt: now, UpdatedAt: now}
	if err := e.st.CreateUser(context.Background(), u, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: privPEM}); err != nil {
		t.Fatal(err)
	}
	e.mod = moderation.New(e.st, e.urls.InstanceActor())
	e.deps = delivery.Deps{
		Tx:         e.st,
		Store:      e.st,
		Keys:       keys.New(e.st, e.urls),
		Client:     transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 5 * time.Second}),
		Queue:      e.queue,
		Moderation: e.mod,
		Backoff:    func(int) time.Duration { return time.Millisecond },
	}
	if tune != nil {
		tune(&e.deps)
	}
	e.d = delivery.New(e.deps)
	return e
}

var activitySeq atomic.Int64

// publish stores an activity of alice's with a delivery to each inbox.
func (e *env) publish(t testing.TB, inboxes ...string) (*app.Activity, []app.Delivery) {
	t.Helper()
	id := e.urls.Activity(fmt.Sprintf("act%d", activitySeq.Add(1)))
	alice := e.urls.Actor("alice")
	body, err := as2.NewActivity(id, "Like", alice, "https://m.example/notes/1").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	a := &app.Activity{URI: id, Type: "Like", ActorURI: alice, Local: true, Document: string(body), State: app.ActivityPublished}
	ds, err := storetest.Publish(context.Background(), e.st, a, inboxes, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return a, ds
}

func (e *env) delivery(t testing.TB, id int64) *app.Delivery {
	t.Helper()
	d, err := e.st.DeliveryByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// drive runs Deliver for id and then every retry the deliverer queues for
// it, as the queue would, up to limit runs; it returns the runs made.
func (e *env) drive(t testing.TB, id int64, limit int) int {
	t.Helper()
	runs := 0
	for runs < limit {
		runs++
		if err := e.d.Deliver(context.Background(), id); err != nil {
			t.Fatalf("Deliver run %d: %v", runs, err)
		}
		calls := e.queue.taken()
		if len(calls) == 0 {
			return runs
		}
		if len(calls) != 1 || calls[0].ID != id || calls[0].Attempt != runs+1 {
			t.Fatalf("after run %d the queue got %v, want one call for delivery %d attempt %d", runs, calls, id, runs+1)
		}
		time.Sleep(time.Until(calls[0].At))
	}
	return runs
}

func hostOf(u string) string { return strings.TrimPrefix(u, "http://") }
