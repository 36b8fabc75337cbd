package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/federation/as2"
)

// likeBatch stores n pending Likes of distinct local objects by actor, as
// one batch of the HTTP side would, and returns them.
func (e *env) likeBatch(actor remoteActor, name string, n int, created time.Time) []*app.Activity {
	e.t.Helper()
	rows := make([]*app.Activity, n)
	for i := range rows {
		doc := e.mustJSON(as2.NewActivity(fmt.Sprintf("%s#likes/%s-%d", actor.id, name, i), "Like", actor.id, e.urls.Object(fmt.Sprintf("%s-%d", name, i))))
		rows[i] = e.insertReceived(doc, created, app.ActivityPending)
	}
	return rows
}

func idsOf(rows []*app.Activity) []int64 {
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	return ids
}

// countLikes wraps the like use case to count its calls per activity (a
// call with many likes counts once for each), and to fail, with an error
// of ours, every call that includes an activity URI in fail.
func (e *env) countLikes(fail *sync.Map) *sync.Map {
	calls := &sync.Map{}
	e.inbox.likes = countingLikes{Likes: e.inbox.likes, calls: calls, fail: fail}
	return calls
}

type countingLikes struct {
	Likes
	calls, fail *sync.Map
}

// count counts a call for uri; it fails if uri is to fail.
func (c countingLikes) count(uri string) error {
	n, _ := c.calls.LoadOrStore(uri, new(atomic.Int32))
	n.(*atomic.Int32).Add(1)
	if _, bad := c.fail.Load(uri); bad {
		return errors.New("database hiccup")
	}
	return nil
}

func (c countingLikes) Receive(ctx context.Context, r flattrs.Received) (string, error) {
	if err := c.count(r.ActivityURI); err != nil {
		return "", err
	}
	return c.Likes.Receive(ctx, r)
}

func (c countingLikes) ReceiveAll(ctx context.Context, rs []flattrs.Received) ([]string, error) {
	var err error
	for _, r := range rs {
		if e := c.count(r.ActivityURI); e != nil {
			err = e
		}
	}
	if err != nil {
		return nil, err
	}
	return c.Likes.ReceiveAll(ctx, rs)
}

func callsOf(calls *sync.Map, uri string) int32 {
	n, ok := calls.Load(uri)
	if !ok {
		return 0
	}
	return n.(*atomic.Int32).Load()
}

// TestProcessBatchAppliesEachRowOnce: a batch task applies each of its
// pending rows once and marks them processed; rows already done, not due
// or unknown are left alone; running the same task again (a duplicate, or
// several at once) applies nothing more.
func TestProcessBatchAppliesEachRowOnce(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	calls := e.countLikes(&sync.Map{})
	rows := e.likeBatch(e.alice(), "b", 5, time.Now())
	done := e.likeBatch(e.bob(), "done", 1, time.Now())[0]
	if err := e.store.SetActivityState(ctx, done.ID, app.ActivityProcessed, "", time.Now()); err != nil {
		t.Fatal(err)
	}
	later := e.likeBatch(e.bob(), "later", 1, time.Now())[0]
	e.setClaim(later.ID, 1, time.Now().Add(time.Hour))
	ids := append(idsOf(rows), done.ID, later.ID, 1<<40)

	var wg sync.WaitGroup
	for range 3 { // the task, and two duplicates at once
		wg.Go(func() {
			if err := e.inbox.ProcessBatch(ctx, ids); err != nil {
				t.Errorf("ProcessBatch: %v", err)
			}
		})
	}
	wg.Wait()
	if err := e.inbox.ProcessBatch(ctx, ids); err != nil { // and a late duplicate
		t.Fatal(err)
	}
	for _, r := range rows {
		got := e.activity(r.URI)
		if got.State != app.ActivityProcessed || got.Attempts != 0 || got.ProcessedAt == nil {
			t.Errorf("%s: %s after %d attempts, processed at %v; want processed after 0", r.URI, got.State, got.Attempts, got.ProcessedAt)
		}
		if n := callsOf(calls, r.URI); n != 1 {
			t.Errorf("%s applied %d times, want once", r.URI, n)
		}
	}
	if n := e.count(&app.Like{}, ""); n != int64(len(rows)) {
		t.Errorf("%d likes stored, want %d", n, len(rows))
	}
	for _, r := range []*app.Activity{done, later} {
		if n := callsOf(calls, r.URI); n != 0 {
			t.Errorf("%s (done or not due) applied %d times, want never", r.URI, n)
		}
	}
	if got := e.activity(later.URI); got.State != app.ActivityPending || got.Attempts != 1 {
		t.Errorf("the row not due: %s after %d attempts, want untouched", got.State, got.Attempts)
	}
}

// TestProcessBatchOneRowFails: when one row's handler fails with an error
// of ours, the batch's transaction is rolled back and its rows applied one
// by one: the others are processed (their likes stored once) and the
// failing one gets its attempt counted, its error kept and its retry
// queued; the retry then applies it.
func TestProcessBatchOneRowFails(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	wait := time.Hour
	e.inbox.retries = newRetryPolicy(3, func(int) time.Duration { return wait })
	fail := &sync.Map{}
	calls := e.countLikes(fail)
	rows := e.likeBatch(e.alice(), "f", 4, time.Now())
	bad := rows[2]
	fail.Store(bad.URI, true)

	if err := e.inbox.ProcessBatch(ctx, idsOf(rows)); err != nil {
		t.Fatalf("a retried failure must not fail the task: %v", err)
	}
	for _, r := range rows {
		got := e.activity(r.URI)
		if r == bad {
			if got.State != app.ActivityPending || got.Attempts != 1 || !strings.Contains(got.Error, "database hiccup") {
				t.Errorf("failing row: %s, %d attempts, error %q; want pending, 1, the error", got.State, got.Attempts, got.Error)
			}
			if diff := cmp.Diff([]queuedAttempt{{bad.ID, 2, got.NextAttemptAt}}, e.queue.Attempts(), cmpTimes); diff != "" {
				t.Errorf("queued retries (-want +got):\n%s", diff)
			}
			continue
		}
		if got.State != app.ActivityProcessed || got.Attempts != 0 {
			t.Errorf("%s: %s after %d attempts, want processed", r.URI, got.State, got.Attempts)
		}
		if n := e.count(&app.Like{}, "activity_uri = ?", r.URI); n != 1 {
			t.Errorf("%s: %d likes stored, want 1", r.URI, n)
		}
	}
	if n := e.count(&app.Like{}, ""); n != 3 {
		t.Errorf("%d likes stored, want 3 (the failing one rolled back)", n)
	}

	fail.Delete(bad.URI)
	e.setClaim(bad.ID, 1, time.Now()) // its backoff is over
	if err := e.inbox.Process(ctx, bad.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.activity(bad.URI); got.State != app.ActivityProcessed || got.Attempts != 1 {
		t.Errorf("after the retry: %s after %d attempts, want processed", got.State, got.Attempts)
	}
	if n, m := callsOf(calls, bad.URI), e.count(&app.Like{}, "activity_uri = ?", bad.URI); n != 3 || m != 1 {
		t.Errorf("failing row: handler ran %d times (batch, alone, retry: want 3), %d likes stored (want 1)", n, m)
	}
}

// TestProcessBatchBlockedActor: moderation, asked once for the batch,
// fails the rows of an actor blocked since they arrived; the others are
// applied.
func TestProcessBatchBlockedActor(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice, bob := e.alice(), e.bob()
	rows := append(e.likeBatch(alice, "ok", 2, time.Now()), e.likeBatch(bob, "blocked", 2, time.Now())...)
	if err := e.mod.BlockActor(ctx, bob.id, "spam"); err != nil {
		t.Fatal(err)
	}
	if err := e.inbox.ProcessBatch(ctx, idsOf(rows)); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want := app.ActivityProcessed
		if r.ActorURI == bob.id {
			want = app.ActivityFailed
		}
		if got := e.activity(r.URI); got.State != want {
			t.Errorf("%s: %s (%q), want %s", r.URI, got.State, got.Error, want)
		}
	}
	if n := e.count(&app.Like{}, "actor_uri = ?", bob.id); n != 0 {
		t.Errorf("%d likes of the blocked actor stored", n)
	}
}

// TestProcessBatchLostTaskIsSwept: the rows of a batch whose task was lost
// are queued by the sweep once due for SweepAge, and applied by their
// attempts; the lost task, turning up later, does nothing.
func TestProcessBatchLostTaskIsSwept(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	calls := e.countLikes(&sync.Map{})
	rows := e.likeBatch(e.alice(), "lost", 3, time.Now().Add(-2*SweepAge))
	if err := e.inbox.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	queued := e.queue.Attempts()
	if len(queued) != len(rows) {
		t.Fatalf("swept %v, want the %d rows of the batch", queued, len(rows))
	}
	for _, q := range queued {
		if err := e.inbox.Process(ctx, q.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.inbox.ProcessBatch(ctx, idsOf(rows)); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if got := e.activity(r.URI); got.State != app.ActivityProcessed {
			t.Errorf("%s: %s, want processed", r.URI, got.State)
		}
		if n := callsOf(calls, r.URI); n != 1 {
			t.Errorf("%s applied %d times, want once", r.URI, n)
		}
	}
}
