package inbox

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// receivedRow is what the HTTP side hands the batch writer for doc.
func (e *env) receivedRow(doc []byte) (*app.Activity, *as2.Activity) {
	e.t.Helper()
	act, err := as2.ParseActivity(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	return &app.Activity{URI: act.ID, Type: act.Type, ActorURI: act.Actor, ObjectURI: act.ObjectID(),
		Document: string(doc), State: app.ActivityPending, CreatedAt: time.Now().UTC()}, act
}

// TestLikesAppliedAsStored: Likes received over HTTP are applied in the
// transaction that stores them: their rows are processed, each like is
// recorded once, a Like of a remote object is stored as a no-op, and no
// task is queued; a Follow received beside them is stored pending and
// queued on its own.
func TestLikesAppliedAsStored(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice, bob := e.alice(), e.bob()
	for _, a := range []remoteActor{alice, bob} { // their keys fetched first
		body := e.mustJSON(as2.NewActivity(a.id+"#likes/first", "Like", a.id, e.urls.Object("first")))
		if status, msg := e.post(request{body: body, as: &a}); status != http.StatusAccepted {
			t.Fatalf("first like: %d %s", status, msg)
		}
	}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			a := alice
			if i%2 == 1 {
				a = bob
			}
			object := e.urls.Object(fmt.Sprint("n-", i))
			if i == 7 {
				object = "https://gts.example/notes/1" // not ours
			}
			body := e.mustJSON(as2.NewActivity(fmt.Sprintf("%s#likes/s-%d", a.id, i), "Like", a.id, object))
			if status, msg := e.post(request{body: body, as: &a}); status != http.StatusAccepted {
				t.Errorf("like %d: %d %s", i, status, msg)
			}
		})
	}
	wg.Go(func() {
		if status, msg := e.post(request{body: e.fixture("mastodon_follow.json"), as: &alice}); status != http.StatusAccepted {
			t.Errorf("follow: %d %s", status, msg)
		}
	})
	wg.Wait()
	if n := e.count(&app.Activity{}, "type = ? AND state = ? AND processed_at IS NOT NULL", "Like", app.ActivityProcessed); n != 22 {
		t.Errorf("%d Likes stored processed, want 22", n)
	}
	if n := e.count(&app.Like{}, ""); n != 21 {
		t.Errorf("%d likes recorded, want 21 (one was of a remote object)", n)
	}
	follow := e.count(&app.Activity{}, "type = ? AND state = ?", "Follow", app.ActivityPending)
	tasks := e.queue.Tasks()
	if follow != 1 || len(tasks) != 1 || tasks[0].Batch {
		t.Errorf("follow pending: %d, tasks queued: %+v; want the Follow pending, queued on its own", follow, tasks)
	}
}

// TestLikesOfBlockedActorLeftToTheWorker: a Like whose actor was blocked
// after its request was checked is not applied as it is stored: its batch
// is stored pending and queued, and the worker then fails that row and
// applies the others.
func TestLikesOfBlockedActorLeftToTheWorker(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice, bob := e.alice(), e.bob()
	if err := e.mod.BlockActor(ctx, bob.id, "spam"); err != nil {
		t.Fatal(err)
	}
	var batch []pendingRow
	for i, a := range []remoteActor{alice, bob} {
		row, act := e.receivedRow(e.mustJSON(as2.NewActivity(fmt.Sprintf("%s#likes/b-%d", a.id, i), "Like", a.id, e.urls.Object("n"))))
		batch = append(batch, pendingRow{row: row, act: act, done: make(chan rowResult, 1)})
	}
	e.inbox.batch.write(batch)
	for _, p := range batch {
		if r := <-p.done; r.err != nil || !r.inserted {
			t.Fatalf("%s: %+v", p.row.URI, r)
		}
		if got := e.activity(p.row.URI); got.State != app.ActivityPending {
			t.Errorf("%s stored %s, want pending", p.row.URI, got.State)
		}
	}
	if n := e.count(&app.Like{}, ""); n != 0 {
		t.Errorf("%d likes recorded before the worker ran", n)
	}
	tasks := e.queue.Tasks()
	if len(tasks) != 1 || !tasks[0].Batch || len(tasks[0].IDs) != 2 {
		t.Fatalf("tasks queued: %+v; want one batch of both", tasks)
	}
	if err := e.inbox.ProcessBatch(ctx, tasks[0].IDs); err != nil {
		t.Fatal(err)
	}
	if a, b := e.activity(batch[0].row.URI), e.activity(batch[1].row.URI); a.State != app.ActivityProcessed || b.State != app.ActivityFailed {
		t.Errorf("after the worker: %s %s, %s %s; want processed, failed", a.URI, a.State, b.URI, b.State)
	}
}

// TestLikesAppliedAsStoredFailure: when applying a batch's Likes fails,
// nothing of that attempt is kept: the rows are stored pending (not half
// processed) and queued, and the worker applies them.
func TestLikesAppliedAsStoredFailure(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	fail := &sync.Map{}
	calls := e.countLikes(fail)
	var batch []pendingRow
	for i := range 3 {
		row, act := e.receivedRow(e.mustJSON(as2.NewActivity(fmt.Sprintf("%s#likes/f-%d", alice.id, i), "Like", alice.id, e.urls.Object(fmt.Sprint("n-", i)))))
		batch = append(batch, pendingRow{row: row, act: act, done: make(chan rowResult, 1)})
	}
	fail.Store(batch[1].row.URI, true)
	e.inbox.batch.write(batch)
	for _, p := range batch {
		if r := <-p.done; r.err != nil || !r.inserted {
			t.Fatalf("%s: %+v", p.row.URI, r)
		}
		if got := e.activity(p.row.URI); got.State != app.ActivityPending || got.ProcessedAt != nil {
			t.Errorf("%s stored %s (processed at %v), want pending", p.row.URI, got.State, got.ProcessedAt)
		}
	}
	if n := e.count(&app.Like{}, ""); n != 0 {
		t.Errorf("%d likes kept from the failed attempt", n)
	}
	fail.Delete(batch[1].row.URI)
	tasks := e.queue.Tasks()
	if len(tasks) != 1 || !tasks[0].Batch {
		t.Fatalf("tasks queued: %+v; want one batch", tasks)
	}
	if err := e.inbox.ProcessBatch(ctx, tasks[0].IDs); err != nil {
		t.Fatal(err)
	}
	for _, p := range batch {
		if got := e.activity(p.row.URI); got.State != app.ActivityProcessed || callsOf(calls, p.row.URI) != 2 {
			t.Errorf("%s: %s after %d calls, want processed after 2", p.row.URI, got.State, callsOf(calls, p.row.URI))
		}
	}
	if n := e.count(&app.Like{}, ""); n != 3 {
		t.Errorf("%d likes recorded, want 3", n)
	}
}

// TestFlattrsDeferredToTheWorker: in a web process that runs no worker
// (Deps.DeferFlattrs), a flattr is stored pending and queued while a cheer
// beside it is applied as it is stored; the worker then records the
// flattr.
func TestFlattrsDeferredToTheWorker(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.inbox.deferFlattrs = true
	ctx := context.Background()
	alice, bob := e.alice(), e.bob()
	weighted := as2.NewActivity(alice.id+"#likes/w", "Like", alice.id, e.urls.Object("n")).AddContext(as2.FlattrContext())
	weighted["weight"] = 3
	var batch []pendingRow
	for _, doc := range []as2.Document{weighted, as2.NewActivity(bob.id+"#likes/c", "Like", bob.id, e.urls.Object("n"))} {
		row, act := e.receivedRow(e.mustJSON(doc))
		batch = append(batch, pendingRow{row: row, act: act, done: make(chan rowResult, 1)})
	}
	e.inbox.batch.write(batch)
	for _, p := range batch {
		if r := <-p.done; r.err != nil || !r.inserted {
			t.Fatalf("%s: %+v", p.row.URI, r)
		}
	}
	if f, c := e.activity(batch[0].row.URI), e.activity(batch[1].row.URI); f.State != app.ActivityPending || c.State != app.ActivityProcessed {
		t.Fatalf("stored: flattr %s, cheer %s; want pending, processed", f.State, c.State)
	}
	if n := e.count(&app.Like{}, ""); n != 1 {
		t.Errorf("%d cheers recorded, want 1", n)
	}
	if n := e.count(&app.Flattr{}, ""); n != 0 {
		t.Errorf("%d flattrs recorded before the worker ran", n)
	}
	tasks := e.queue.Tasks()
	if len(tasks) != 1 || !tasks[0].Batch || len(tasks[0].IDs) != 1 || tasks[0].IDs[0] != batch[0].row.ID {
		t.Fatalf("tasks queued: %+v; want one batch of the flattr", tasks)
	}
	if err := e.inbox.ProcessBatch(ctx, tasks[0].IDs); err != nil {
		t.Fatal(err)
	}
	if f := e.activity(batch[0].row.URI); f.State != app.ActivityProcessed {
		t.Errorf("flattr after the worker: %s, want processed", f.State)
	}
	var weight int
	if err := e.store.DB().Table("flattrs").Select("weight").Where("activity_uri = ?", batch[0].row.URI).Scan(&weight).Error; err != nil || weight != 3 {
		t.Errorf("flattr recorded with weight %d (%v), want 3", weight, err)
	}
}
