package outbox_test

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/outbox/outboxtest"
)

// The store is the real one: the Publisher's consumer-side interface must
// be what app/store implements.
var _ outbox.Store = (*store.Store)(nil)

const base = "https://plaudit.test"

// queueCall is one call seen by fakeQueue.
type queueCall struct {
	Kind    string // "inbox" or "deliver"
	ID      int64
	Attempt int
}

// fakeQueue records what it is asked to enqueue.
type fakeQueue struct {
	mu    sync.Mutex
	calls []queueCall
	err   error
}

func (q *fakeQueue) EnqueueInbox(_ context.Context, id int64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, queueCall{"inbox", id, 0})
	return q.err
}

func (q *fakeQueue) EnqueueDelivery(_ context.Context, id int64, attempt int, _ time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls = append(q.calls, queueCall{"deliver", id, attempt})
	return q.err
}

func (q *fakeQueue) taken() []queueCall {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := q.calls
	q.calls = nil
	return out
}

// fakeActors resolves remote actors from a map, as the dereferencer
// would after fetching them.
type fakeActors map[string]*app.RemoteActor

func (f fakeActors) Actor(_ context.Context, uri string, _ bool) (*app.RemoteActor, error) {
	if a, ok := f[uri]; ok {
		return a, nil
	}
	return nil, app.Errorf(app.ENOTFOUND, "actor %s not found", uri)
}

// resolver is fakeActors and fakeObjects together.
type resolver struct {
	fakeActors
	fakeObjects
}

// fakeObjects resolves remote objects from a map.
type fakeObjects map[string]*app.RemoteObject

func (f fakeObjects) Object(_ context.Context, uri string) (*app.RemoteObject, error) {
	if o, ok := f[uri]; ok {
		return o, nil
	}
	return nil, app.Errorf(app.ENOTFOUND, "object %s not found", uri)
}

// env is a publisher on a fresh database with two local users, alice and
// bob, and a few remote actors.
type env struct {
	st      *store.Store
	urls    federation.URLs
	queue   *fakeQueue
	actors  fakeActors
	objects fakeObjects
	pub     *outbox.Publisher
	c2s     *outbox.Submitter
	alice   *app.User
	bob     *app.User
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{
		st: storetest.Open(t), urls: federation.NewURLs(base), queue: &fakeQueue{},
		actors: fakeActors{}, objects: fakeObjects{},
	}
	e.alice = e.mustUser(t, "alice")
	e.bob = e.mustUser(t, "bob")
	e.pub = outbox.New(outbox.Deps{Tx: e.st, Store: e.st, Actors: e.actors, Objects: e.objects, Queue: e.queue, URLs: e.urls})
	e.c2s = outboxtest.Submitter(e.st, e.pub, resolver{e.actors, e.objects}, e.urls)
	return e
}

func (e *env) mustUser(t *testing.T, name string) *app.User {
	t.Helper()
	now := time.Now().UTC()
	u := &app.User{Username: name, DisplayName: name, Discoverable: true, CreatedAt: now, UpdatedAt: now}
	if err := e.st.CreateUser(context.Background(), u, app.UserSecrets{PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	return u
}

// remote registers a remote actor with the resolver and the store;
// sharedInbox may be "".
func (e *env) remote(t *testing.T, uri, sharedInbox string) *app.RemoteActor {
	t.Helper()
	a := newRemote(uri, sharedInbox)
	if err := e.st.UpsertRemoteActor(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	e.actors[uri] = a
	return a
}

func newRemote(uri, sharedInbox string) *app.RemoteActor {
	now := time.Now().UTC()
	return &app.RemoteActor{
		URI: uri, Type: "Person", Host: hostOf(uri), Inbox: uri + "/inbox", SharedInbox: sharedInbox,
		FetchedAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		panic(err)
	}
	return u.Host
}

// followers makes n remote actors on host follow followee (accepted), in
// bulk; shared, when set, is their server's shared inbox.
func (e *env) followers(t *testing.T, host string, n int, shared bool, followee string) {
	t.Helper()
	now := time.Now().UTC()
	actors := make([]*app.RemoteActor, 0, n)
	follows := make([]*app.Follow, 0, n)
	for i := range n {
		uri := fmt.Sprintf("https://%s/users/f%d", host, i)
		sharedInbox := ""
		if shared {
			sharedInbox = "https://" + host + "/inbox"
		}
		actors = append(actors, newRemote(uri, sharedInbox))
		follows = append(follows, &app.Follow{
			ActivityURI: uri + "#follow", FollowerURI: uri, FolloweeURI: followee, State: app.FollowAccepted,
			CreatedAt: now, UpdatedAt: now,
		})
	}
	if err := e.st.DB().CreateInBatches(actors, 200).Error; err != nil {
		t.Fatal(err)
	}
	if err := e.st.DB().CreateInBatches(follows, 200).Error; err != nil {
		t.Fatal(err)
	}
}

// deliveriesOf lists the inboxes of an activity's delivery rows, sorted,
// checking that each is pending and due.
func (e *env) deliveriesOf(t *testing.T, activityID int64) []string {
	t.Helper()
	var rows []app.Delivery
	if err := e.st.DB().Where("activity_id = ?", activityID).Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	inboxes := make([]string, 0, len(rows))
	for _, d := range rows {
		if d.State != app.DeliveryPending || d.Attempts != 0 || d.NextAttemptAt.After(time.Now().Add(time.Second)) {
			t.Errorf("delivery %d to %s: state %s, attempts %d, next %v; want pending, 0, now", d.ID, d.Inbox, d.State, d.Attempts, d.NextAttemptAt)
		}
		if d.Host != hostOf(d.Inbox) {
			t.Errorf("delivery %d: host %q, want %q", d.ID, d.Host, hostOf(d.Inbox))
		}
		inboxes = append(inboxes, d.Inbox)
	}
	sort.Strings(inboxes)
	return inboxes
}

// checkQueued checks that the queue was asked to process the activity
// locally (when local) and to deliver each of its rows once, as attempt 1.
func (e *env) checkQueued(t *testing.T, activityID int64, local bool) {
	t.Helper()
	var ids []int64
	if err := e.st.DB().Model(&app.Delivery{}).Where("activity_id = ?", activityID).Order("id").Pluck("id", &ids).Error; err != nil {
		t.Fatal(err)
	}
	var want []queueCall
	if local {
		want = append(want, queueCall{"inbox", activityID, 0})
	}
	for _, id := range ids {
		want = append(want, queueCall{"deliver", id, 1})
	}
	if diff := cmp.Diff(want, e.queue.taken()); diff != "" {
		t.Errorf("queue calls (-want +got):\n%s", diff)
	}
}
