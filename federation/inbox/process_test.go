package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// insertReceived stores a received activity directly, as the HTTP side would.
func (e *env) insertReceived(doc []byte, created time.Time, state string) *app.Activity {
	e.t.Helper()
	act, err := as2.ParseActivity(doc)
	if err != nil {
		e.t.Fatal(err)
	}
	a := &app.Activity{URI: act.ID, Type: act.Type, ActorURI: act.Actor, ObjectURI: act.ObjectID(),
		Document: string(doc), State: state, CreatedAt: created.UTC()}
	if _, err := e.store.InsertActivity(context.Background(), a); err != nil {
		e.t.Fatal(err)
	}
	return a
}

// setClaim rewrites the claim columns of an activity row for a test.
func (e *env) setClaim(id int64, attempts int, next time.Time) {
	e.t.Helper()
	err := e.store.DB().Model(&app.Activity{}).Where("id = ?", id).
		Updates(map[string]any{"attempts": attempts, "next_attempt_at": next.UTC()}).Error
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestSweepPending: the sweep queues, as their next attempt, the received
// activities that have been due for SweepAge; fresh, claimed, scheduled
// and finished ones are left alone. A refused enqueue fails the sweep.
func TestSweepPending(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	like := func(n string) []byte {
		return e.mustJSON(as2.NewActivity(alice.id+"#likes/"+n, "Like", alice.id, e.urls.Object("t")))
	}
	long := time.Now().Add(-5 * time.Minute)
	lost := e.insertReceived(like("lost"), long, app.ActivityPending)
	e.insertReceived(like("fresh"), time.Now(), app.ActivityPending)
	e.insertReceived(like("done"), long, app.ActivityProcessed)
	claimed := e.insertReceived(like("claimed"), long, app.ActivityPending)
	e.setClaim(claimed.ID, 0, time.Now().Add(4*time.Minute))
	retried := e.insertReceived(like("retried"), long, app.ActivityPending)
	e.setClaim(retried.ID, 2, time.Now().Add(-2*time.Minute))
	later := e.insertReceived(like("later"), long, app.ActivityPending)
	e.setClaim(later.ID, 1, time.Now().Add(time.Hour))

	if err := e.inbox.SweepPending(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []queuedAttempt{{lost.ID, 1, time.Time{}}, {retried.ID, 3, time.Time{}}}
	if diff := cmp.Diff(want, e.queue.Attempts()); diff != "" {
		t.Errorf("swept (-want +got):\n%s", diff)
	}
	e.queue.fail = true
	if err := e.inbox.SweepPending(context.Background()); err == nil {
		t.Error("the sweep hid a refused enqueue")
	}
}

// TestSweepPendingPagesPastTheBatch: with more stuck rows than one page
// (1,001), the newest is queued too, and processed.
func TestSweepPendingPagesPastTheBatch(t *testing.T) {
	e := newEnv(t, envOptions{quiet: true})
	ctx := context.Background()
	alice := e.alice()
	long := time.Now().Add(-time.Hour).UTC()
	var rows []*app.Activity
	for i := range sweepBatch + 1 {
		doc := e.mustJSON(as2.NewActivity(fmt.Sprintf("%s#likes/%d", alice.id, i), "Like", alice.id, e.urls.Object("t")))
		rows = append(rows, &app.Activity{URI: fmt.Sprintf("%s#likes/%d", alice.id, i), Type: "Like", ActorURI: alice.id,
			Document: string(doc), State: app.ActivityPending, CreatedAt: long})
	}
	for chunk := range slices.Chunk(rows, 250) {
		if _, err := e.store.InsertActivities(ctx, chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.inbox.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	queued := e.queue.Attempts()
	if len(queued) != len(rows) {
		t.Fatalf("swept %d rows, want %d", len(queued), len(rows))
	}
	last := rows[len(rows)-1]
	if got := queued[len(queued)-1]; got.ID != last.ID || got.Attempt != 1 {
		t.Fatalf("last swept = %+v, want row %d attempt 1", got, last.ID)
	}
	if err := e.inbox.Process(ctx, last.ID); err != nil {
		t.Fatal(err)
	}
	if got := e.activity(last.URI); got.State != app.ActivityProcessed {
		t.Errorf("row %d after the sweep: %s (%q), want processed", sweepBatch+1, got.State, got.Error)
	}
}

// failLikes makes the Like handler fail with an error of ours and counts
// its calls.
func (e *env) failLikes(calls *atomic.Int32) {
	e.inbox.handlers["Like"] = func(context.Context, *app.Activity, *as2.Activity) error {
		calls.Add(1)
		return errors.New("object server down")
	}
}

// TestProcessRetriesThenFails: a failure of ours counts an attempt, keeps
// the error and queues the next attempt after the backoff; a task arriving
// before then does nothing; the last attempt marks the row failed.
func TestProcessRetriesThenFails(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	var calls atomic.Int32
	e.failLikes(&calls)
	wait := time.Hour
	e.inbox.retries = newRetryPolicy(3, func(int) time.Duration { return wait })
	alice := e.alice()
	a := e.insertReceived(e.mustJSON(as2.NewActivity(alice.id+"#likes/r", "Like", alice.id, e.urls.Object("t"))), time.Now(), app.ActivityPending)

	before := time.Now()
	if err := e.inbox.Process(ctx, a.ID); err != nil {
		t.Fatalf("a retried failure must not fail the task: %v", err)
	}
	got := e.activity(a.URI)
	if got.State != app.ActivityPending || got.Attempts != 1 || !strings.Contains(got.Error, "object server down") {
		t.Fatalf("after one failure: %s, %d attempts, error %q", got.State, got.Attempts, got.Error)
	}
	if got.NextAttemptAt.Before(before.Add(wait-time.Second)) || got.NextAttemptAt.After(time.Now().Add(wait)) {
		t.Errorf("next attempt at %v, want an hour from now", got.NextAttemptAt)
	}
	if diff := cmp.Diff([]queuedAttempt{{a.ID, 2, got.NextAttemptAt}}, e.queue.Attempts(), cmpTimes); diff != "" {
		t.Errorf("queued (-want +got):\n%s", diff)
	}
	if err := e.inbox.Process(ctx, a.ID); err != nil || calls.Load() != 1 {
		t.Fatalf("a task before the row is due: err %v, %d handler calls, want nil and 1", err, calls.Load())
	}

	wait = 0
	e.setClaim(a.ID, 1, time.Now())
	for range 2 {
		if err := e.inbox.Process(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
	}
	got = e.activity(a.URI)
	if got.State != app.ActivityFailed || got.Attempts != 3 || !strings.Contains(got.Error, "gave up after 3 attempts") || got.ProcessedAt == nil {
		t.Fatalf("after three failures: %s, %d attempts, error %q", got.State, got.Attempts, got.Error)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handler called %d times, want 3", n)
	}
	if q := e.queue.Attempts(); len(q) != 1 || q[0].Attempt != 3 {
		t.Errorf("queued %v, want only attempt 3", q)
	}
}

// cmpTimes compares times by instant (the stored one comes back in UTC).
var cmpTimes = cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })

// TestProcessDuplicateTasks: tasks for the same row at the same time apply
// it once: only one wins the claim.
func TestProcessDuplicateTasks(t *testing.T) {
	e := newEnv(t, envOptions{})
	var calls atomic.Int32
	like := e.inbox.handlers["Like"]
	e.inbox.handlers["Like"] = func(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
		calls.Add(1)
		time.Sleep(50 * time.Millisecond) // hold the claim while the others try
		return like(ctx, rec, act)
	}
	alice := e.alice()
	a := e.insertReceived(e.mustJSON(as2.NewActivity(alice.id+"#likes/d", "Like", alice.id, e.urls.Object("t"))), time.Now(), app.ActivityPending)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := e.inbox.Process(context.Background(), a.ID); err != nil {
				t.Errorf("Process: %v", err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("handler ran %d times for 4 tasks, want 1", n)
	}
	if got := e.activity(a.URI); got.State != app.ActivityProcessed || got.Attempts != 0 {
		t.Errorf("activity %s after %d failed attempts, want processed after 0", got.State, got.Attempts)
	}
}

// TestProcessInterrupted: an attempt cut short by the task's context does
// not count; the row is given back, due now, and the task is retried.
func TestProcessInterrupted(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.inbox.handlers["Like"] = func(ctx context.Context, _ *app.Activity, _ *as2.Activity) error {
		<-ctx.Done()
		return fmt.Errorf("fetch object: %w", ctx.Err())
	}
	alice := e.alice()
	a := e.insertReceived(e.mustJSON(as2.NewActivity(alice.id+"#likes/i", "Like", alice.id, e.urls.Object("t"))), time.Now(), app.ActivityPending)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := e.inbox.Process(ctx, a.ID); err == nil {
		t.Fatal("an interrupted Process returned nil; the task would not be retried")
	}
	got := e.activity(a.URI)
	if got.State != app.ActivityPending || got.Attempts != 0 || got.NextAttemptAt.After(time.Now()) {
		t.Errorf("after the interruption: %s, %d attempts, next %v; want pending, 0, due", got.State, got.Attempts, got.NextAttemptAt)
	}
}

func TestProcessOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		doc       func(e *env) []byte
		setup     func(e *env)
		wantState string
	}{
		{"malformed stored document", func(e *env) []byte {
			return []byte(`{"id":"` + e.alice().id + `#x","type":"Like","actor":"` + e.alice().id + `"`)
		}, nil, app.ActivityFailed},
		{"blocked after it arrived", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#likes/9", "Like", e.alice().id, e.urls.Object("t")))
		}, func(e *env) {
			if err := e.mod.BlockActor(context.Background(), e.alice().id, "spam"); err != nil {
				e.t.Fatal(err)
			}
		}, app.ActivityFailed},
		{"follow of a local user that does not exist", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#f/9", "Follow", e.alice().id, e.urls.Actor("nobody")))
		}, nil, app.ActivityFailed},
		{"accept of an unknown follow", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#a/9", "Accept", e.alice().id, e.urls.Activity("nope")))
		}, nil, app.ActivityFailed},
		{"follow of a remote actor", func(e *env) []byte {
			return e.mustJSON(as2.NewActivity(e.alice().id+"#f/8", "Follow", e.alice().id, e.bob().id))
		}, nil, app.ActivityProcessed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			if tt.setup != nil {
				tt.setup(e)
			}
			doc := tt.doc(e)
			a := &app.Activity{URI: e.alice().id + "#row", Type: "Like", ActorURI: e.alice().id,
				Document: string(doc), State: app.ActivityPending, CreatedAt: time.Now().UTC()}
			if _, err := e.store.InsertActivity(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			if err := e.inbox.Process(context.Background(), a.ID); err != nil {
				t.Fatalf("Process: %v", err)
			}
			got := e.activity(a.URI)
			if got.State != tt.wantState || got.ProcessedAt == nil {
				t.Errorf("state %s (%q), want %s", got.State, got.Error, tt.wantState)
			}
			if tt.wantState == app.ActivityFailed && got.Error == "" {
				t.Error("failed without a reason")
			}
			if n := e.count(&app.Like{}, ""); n != 0 {
				t.Errorf("%d likes stored", n)
			}
		})
	}
}

func TestProcessMissingRowIsDone(t *testing.T) {
	e := newEnv(t, envOptions{})
	if err := e.inbox.Process(context.Background(), 12345); err != nil {
		t.Fatalf("Process of a missing row: %v, want nil (nothing to retry)", err)
	}
}

func TestProcessLocalActivities(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	carol, dora := e.urls.Actor("carol"), e.urls.Actor("dora")
	// dora follows carol, both local: the outbox hands the Follow over as a
	// local activity, and carol, who approves automatically, accepts it.
	follow := e.mustJSON(as2.NewActivity(e.urls.Activity("local-follow"), "Follow", dora, carol))
	rec := &app.Activity{URI: e.urls.Activity("local-follow"), Type: "Follow", ActorURI: dora, ObjectURI: carol,
		Local: true, Document: string(follow), State: app.ActivityPublished, CreatedAt: time.Now().UTC()}
	if _, err := e.store.InsertActivity(ctx, rec); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.inbox.Process(ctx, rec.ID); err != nil {
			t.Fatal(err)
		}
	}
	f, err := e.store.FollowByPair(ctx, dora, carol)
	if err != nil || f.State != app.FollowAccepted {
		t.Fatalf("local follow = %+v, %v", f, err)
	}
	calls := e.publisher.Calls()
	if len(calls) != 1 || calls[0].Actor != carol || !slices.Equal(calls[0].Recipients, []string{dora}) {
		t.Fatalf("published %+v, want one Accept from carol to dora", calls)
	}
	if got := e.activity(rec.URI); got.State != app.ActivityPublished {
		t.Errorf("local activity state changed to %s", got.State)
	}
	// The Accept, handed back as a local activity, accepts dora's follow of
	// carol (already accepted: a no-op), and must not fail.
	acc := e.activity(calls[0].Doc.ID())
	if err := e.inbox.Process(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}
	if f, _ := e.store.FollowByPair(ctx, dora, carol); f.State != app.FollowAccepted {
		t.Errorf("state after the local Accept: %s", f.State)
	}
}
