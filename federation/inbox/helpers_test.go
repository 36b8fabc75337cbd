package inbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/follows"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/transport"
)

// Every server in these tests listens on 127.0.0.1: the local instance
// (a ServeMux with the inbox routes, as web mounts them) and fake remote servers that serve
// the fixture actors with keys the tests hold.

// fakeQueue records enqueued activities.
type fakeQueue struct {
	mu       sync.Mutex
	tasks    []queuedTask // EnqueueInbox and EnqueueInboxBatch, in order
	attempts []queuedAttempt
	fail     bool
}

// queuedTask is one EnqueueInbox (one id) or EnqueueInboxBatch call.
type queuedTask struct {
	IDs   []int64
	Batch bool
}

func (q *fakeQueue) EnqueueInbox(_ context.Context, id int64) error {
	return q.add(queuedTask{IDs: []int64{id}})
}

func (q *fakeQueue) EnqueueInboxBatch(_ context.Context, ids []int64) error {
	return q.add(queuedTask{IDs: append([]int64(nil), ids...), Batch: true})
}

func (q *fakeQueue) add(t queuedTask) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return fmt.Errorf("queue down")
	}
	q.tasks = append(q.tasks, t)
	return nil
}

// Tasks returns the tasks queued so far.
func (q *fakeQueue) Tasks() []queuedTask {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]queuedTask(nil), q.tasks...)
}

func (q *fakeQueue) EnqueueDelivery(context.Context, int64, int, time.Time) error { return nil }

// IDs lists the activities queued for their first processing, alone or
// in batches, in order.
func (q *fakeQueue) IDs() []int64 {
	var ids []int64
	for _, t := range q.Tasks() {
		ids = append(ids, t.IDs...)
	}
	return ids
}

// queuedAttempt is one EnqueueInboxAttempt call.
type queuedAttempt struct {
	ID      int64
	Attempt int
	At      time.Time
}

func (q *fakeQueue) EnqueueInboxAttempt(_ context.Context, id int64, attempt int, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.fail {
		return fmt.Errorf("queue down")
	}
	q.attempts = append(q.attempts, queuedAttempt{id, attempt, at})
	return nil
}

// Attempts returns and forgets the EnqueueInboxAttempt calls so far.
func (q *fakeQueue) Attempts() []queuedAttempt {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.attempts
	q.attempts = nil
	return out
}

// published is an answer (Accept or Reject) the instance published.
type published struct {
	Actor      string
	Doc        as2.Document
	Recipients []string // the activity's "to"
}

// answers reads the Accepts and Rejects the real outbox published, in
// order.
type answers struct {
	t     testing.TB
	store *store.Store
}

func (p answers) Calls() []published {
	var rows []app.Activity
	err := p.store.DB().Where("local = ? AND type IN ?", true, []string{"Accept", "Reject"}).Order("id").Find(&rows).Error
	if err != nil {
		p.t.Fatal(err)
	}
	out := make([]published, 0, len(rows))
	for _, a := range rows {
		var doc as2.Document
		if err := json.Unmarshal([]byte(a.Document), &doc); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, published{Actor: a.ActorURI, Doc: doc, Recipients: as2.IDsOf(doc["to"])})
	}
	return out
}

// syncBuffer is a log sink safe for the server goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a local instance with an inbox, plus fake remote servers.
type env struct {
	t         testing.TB
	store     *store.Store
	inbox     *Inbox
	urls      federation.URLs
	base      string
	server    *httptest.Server
	queue     *fakeQueue
	publisher answers
	follows   *follows.Service
	fetcher   *dereference.Fetcher
	mod       *moderation.Service
	logs      *syncBuffer
	remotes   map[string]*dereftest.Remote // fixture origin → server
	hosts     map[string]string            // fixture origin → server URL
}

// envOptions change the inbox's settings.
type envOptions struct {
	bodyLimit int64
	rateLimit float64
	rateBurst int
	now       func() time.Time
	quiet     bool // log at Info, not Debug
	reachable func(ctx context.Context, host string) error
}

// fixtureOrigins are the hosts the fixtures use, each served by a Remote.
var fixtureOrigins = []string{
	"https://mastodon.example", "https://gts.example", "https://misskey.example",
	"https://blog.example", "https://hollo.example", "https://peertube.example",
}

func newEnv(tb testing.TB, opts envOptions) *env {
	tb.Helper()
	s := storetest.Open(tb)
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	base := "http://" + srv.Listener.Addr().String()
	urls := federation.NewURLs(base)
	logs := &syncBuffer{}
	level := slog.LevelDebug
	if opts.quiet {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: level}))

	kr := keys.New(s, urls)
	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 5 * time.Second,
		Signer: dereference.NewInstanceSigner(kr)})
	tb.Cleanup(client.CloseIdleConnections)
	fetcher := dereference.New(dereference.Deps{Store: s, Keys: kr, Client: client, URLs: urls, Logger: logger})
	verifier, err := httpsig.NewVerifier(httpsig.Options{KeyResolver: fetcher})
	if err != nil {
		tb.Fatal(err)
	}
	e := &env{t: tb, store: s, urls: urls, base: base, server: srv, queue: &fakeQueue{},
		publisher: answers{t: tb, store: s}, fetcher: fetcher, logs: logs,
		mod: moderation.New(s, urls.InstanceActor()), remotes: map[string]*dereftest.Remote{},
		hosts: map[string]string{"https://plaudit.example": base}}
	pub := outbox.New(outbox.Deps{Tx: s, Store: s, Actors: fetcher, Objects: fetcher, Queue: e.queue, URLs: urls, Logger: logger})
	e.follows = follows.New(follows.Deps{Tx: s, Store: s, Users: s, Actors: fetcher, Outbox: pub, URLs: urls})
	e.inbox = New(Deps{
		Store: s, Tx: s, Verifier: verifier, Remote: fetcher, Moderation: e.mod, Queue: e.queue,
		Follows: e.follows, Likes: newLikes(s, urls),
		Blocks: moderation.NewRemoteBlocks(s, s, s, nil), URLs: urls, BodyLimit: opts.bodyLimit, RateLimit: opts.rateLimit,
		RateBurst: opts.rateBurst, Logger: logger, Now: opts.now, Reachable: opts.reachable,
	})
	mux.HandleFunc("POST /inbox", func(w http.ResponseWriter, r *http.Request) { e.inbox.ServeShared(w, withTestClientIP(r)) })
	mux.HandleFunc("POST /actor/inbox", e.inbox.ServeShared)
	mux.HandleFunc("POST /users/{name}/inbox", func(w http.ResponseWriter, r *http.Request) {
		e.inbox.ServeUser(w, r, r.PathValue("name"))
	})
	srv.Start()
	tb.Cleanup(srv.Close)

	for _, origin := range fixtureOrigins {
		r := dereftest.NewRemote(tb)
		e.remotes[origin], e.hosts[origin] = r, r.URL
	}
	e.serveActors()
	e.mustUser("carol", false)
	e.mustUser("dora", true)
	return e
}

// actorFixtures are the remote actors the fixture activities come from.
var actorFixtures = []struct {
	origin, path, file, keyName string
	keyPath                     string // key id relative to the origin
}{
	{"https://mastodon.example", "/users/alice", "mastodon_actor.json", "alice", "/users/alice#main-key"},
	{"https://gts.example", "/users/bob", "gotosocial_actor.json", "bob", "/users/bob/main-key"},
	{"https://misskey.example", "/users/9h5x7ab3cd", "misskey_actor.json", "dave", "/users/9h5x7ab3cd#main-key"},
	{"https://blog.example", "/author/erin/", "wordpress_actor.json", "erin", "/author/erin/#main-key"},
}

// serveActors makes each Remote serve its fixture actor with a test key.
func (e *env) serveActors() {
	for _, a := range actorFixtures {
		r := e.remotes[a.origin]
		id, keyID := r.URL+a.path, r.URL+a.keyPath
		doc := dereftest.WithKey(e.t, dereftest.Fixture(e.t, a.file, e.hosts), keyID, id, dereftest.Key(a.keyName))
		r.Serve(a.path, doc)
		if strings.HasSuffix(a.keyPath, "/main-key") {
			r.Serve(a.keyPath, doc) // GoToSocial answers its key URL with the actor
		}
	}
	// Fedify (Hollo) and PeerTube actors have no fixture: build them.
	for _, a := range []struct{ origin, path, key string }{
		{"https://hollo.example", "/@frank", "frank"},
		{"https://peertube.example", "/accounts/grace", "grace"},
	} {
		r := e.remotes[a.origin]
		id := r.URL + a.path
		doc, err := as2.ActorDocument(as2.ActorSpec{ID: id, PreferredUsername: a.key, Inbox: id + "/inbox",
			PublicKeyID: id + "#main-key", PublicKeyPEM: dereftest.PublicPEM(e.t, dereftest.Key(a.key))}).Marshal()
		if err != nil {
			e.t.Fatal(err)
		}
		r.Serve(a.path, doc)
	}
}

// remoteActor is a fixture actor as the test servers serve it.
type remoteActor struct {
	id, keyID string
	key       *rsa.PrivateKey
}

// actor returns the remote actor served at origin+path.
func (e *env) actor(origin, path string) remoteActor {
	for _, a := range actorFixtures {
		if a.origin == origin && a.path == path {
			return remoteActor{id: e.hosts[origin] + path, keyID: e.hosts[origin] + a.keyPath, key: dereftest.Key(a.keyName)}
		}
	}
	name := map[string]string{"/@frank": "frank", "/accounts/grace": "grace"}[path]
	return remoteActor{id: e.hosts[origin] + path, keyID: e.hosts[origin] + path + "#main-key", key: dereftest.Key(name)}
}

func (e *env) alice() remoteActor { return e.actor("https://mastodon.example", "/users/alice") }
func (e *env) bob() remoteActor   { return e.actor("https://gts.example", "/users/bob") }

func (e *env) mustUser(name string, manual bool) {
	e.t.Helper()
	err := e.store.CreateUser(context.Background(), &app.User{
		Username: name, ManuallyApprovesFollowers: manual,
		PublicKeyPEM: dereftest.PublicPEM(e.t, dereftest.Key(name)),
	}, app.UserSecrets{PasswordHash: "x"})
	if err != nil {
		e.t.Fatal(err)
	}
}

// fixture reads a fixture with its hosts moved to the test servers.
func (e *env) fixture(name string) []byte {
	e.t.Helper()
	return dereftest.Fixture(e.t, name, e.hosts)
}

// request describes one POST to the local instance.
type request struct {
	path        string // "/inbox" when empty
	body        []byte
	signedBody  []byte // what the signature covers, when it differs from body
	as          *remoteActor
	keyID       string // overrides as.keyID
	key         *rsa.PrivateKey
	date        time.Time
	contentType string
	unsigned    bool
	host        string // the Host the request names (and is signed for), when not ours
}

// build makes the HTTP request, signed like another server would.
func (e *env) build(r request) *http.Request {
	e.t.Helper()
	if r.path == "" {
		r.path = "/inbox"
	}
	req, err := http.NewRequest(http.MethodPost, e.base+r.path, bytes.NewReader(r.body))
	if err != nil {
		e.t.Fatal(err)
	}
	if r.host != "" {
		req.Host = r.host
		req.Header.Set("Host", r.host)
	}
	req.Header.Set("Content-Type", "application/activity+json")
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	if r.unsigned || r.as == nil {
		return req
	}
	keyID, key := r.as.keyID, r.as.key
	if r.keyID != "" {
		keyID = r.keyID
	}
	if r.key != nil {
		key = r.key
	}
	signer := httpsig.NewSigner(keyID, key)
	if !r.date.IsZero() {
		signer = signer.WithClock(func() time.Time { return r.date })
	}
	signed := r.body
	if r.signedBody != nil {
		signed = r.signedBody
	}
	if err := signer.SignPOST(req, signed); err != nil {
		e.t.Fatal(err)
	}
	return req
}

// send posts req and returns the status and body.
func (e *env) send(req *http.Request) (int, string) {
	e.t.Helper()
	resp, err := e.server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// post builds and sends r.
func (e *env) post(r request) (int, string) {
	e.t.Helper()
	return e.send(e.build(r))
}

// deliver posts a signed activity, expects 202 and processes what was
// enqueued.
func (e *env) deliver(as remoteActor, body []byte) {
	e.t.Helper()
	before := len(e.queue.IDs())
	if status, msg := e.post(request{body: body, as: &as}); status != http.StatusAccepted {
		e.t.Fatalf("POST = %d %s, want 202", status, msg)
	}
	e.processFrom(before)
}

// processFrom runs the tasks enqueued after the first n activities, as
// the worker would: Process for one, ProcessBatch for a batch.
func (e *env) processFrom(n int) {
	e.t.Helper()
	seen := 0
	for _, task := range e.queue.Tasks() {
		seen += len(task.IDs)
		if seen <= n {
			continue
		}
		var err error
		if task.Batch {
			err = e.inbox.ProcessBatch(context.Background(), task.IDs)
		} else {
			err = e.inbox.Process(context.Background(), task.IDs[0])
		}
		if err != nil {
			e.t.Fatalf("process %+v: %v", task, err)
		}
	}
}

// count counts the rows of model matching where.
func (e *env) count(model any, where string, args ...any) int64 {
	e.t.Helper()
	var n int64
	q := e.store.DB().Model(model)
	if where != "" {
		q = q.Where(where, args...)
	}
	if err := q.Count(&n).Error; err != nil {
		e.t.Fatal(err)
	}
	return n
}

// activity loads the stored activity with uri.
func (e *env) activity(uri string) *app.Activity {
	e.t.Helper()
	a, err := e.store.ActivityByURI(context.Background(), uri)
	if err != nil {
		e.t.Fatalf("activity %s: %v", uri, err)
	}
	return a
}

// edit changes a JSON document.
func (e *env) edit(doc []byte, f func(m map[string]any)) []byte {
	e.t.Helper()
	return dereftest.Edit(e.t, doc, f)
}

// mustJSON marshals a document.
func (e *env) mustJSON(d as2.Document) []byte {
	e.t.Helper()
	b, err := d.Marshal()
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}

func dereftestKey(name string) *rsa.PrivateKey { return dereftest.Key(name) }

func publicPEM(tb testing.TB, k *rsa.PrivateKey) string { return dereftest.PublicPEM(tb, k) }

func goneResponse() dereftest.Response { return dereftest.Response{Status: http.StatusGone} }

// testClientIP is the header tests name a client address in, as the web
// layer would find it behind a trusted proxy.
const testClientIP = "X-Test-Client-Ip"

func withTestClientIP(r *http.Request) *http.Request {
	if ip := r.Header.Get(testClientIP); ip != "" {
		return r.WithContext(federation.WithClientIP(r.Context(), ip))
	}
	return r
}

// autoThings is the thing use case on a store, with every local object the
// tests like known as a thing of alice's: the inbox's tests are about
// receiving, and their Likes name objects no test published.
type autoThings struct {
	*things.Service
	st   *store.Store
	urls federation.URLs
}

func (a autoThings) ByURI(ctx context.Context, uri string) (*app.Thing, error) {
	t, err := a.Service.ByURI(ctx, uri)
	if !errors.Is(err, app.ErrNotFound) || !a.urls.IsLocal(uri) || strings.Contains(uri, "/unknown") {
		return t, err
	}
	t = &app.Thing{URI: uri, OwnerURI: a.urls.Actor("alice"), OwnerConfirmed: true, Kind: app.ThingNote, Host: a.urls.Host(), Local: true}
	return t, a.st.UpsertThing(ctx, t)
}

func (a autoThings) ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	out := map[string]*app.Thing{}
	for _, u := range uris {
		t, err := a.ByURI(ctx, u)
		if err == nil {
			out[u] = t
		} else if !errors.Is(err, app.ErrNotFound) {
			return nil, err
		}
	}
	return out, nil
}

// newLikes returns the flattr use cases on st, as the inbox is wired.
func newLikes(st *store.Store, urls federation.URLs) *flattrs.Service {
	th := things.New(things.Deps{Tx: st, Store: st, URLs: urls})
	return flattrs.New(flattrs.Deps{Tx: st, Store: st, Likes: st, Things: autoThings{th, st, urls}, URLs: urls})
}
