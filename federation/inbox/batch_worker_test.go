package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// TestBatchTasksOnTheWorker: Likes stored together by the batch writer
// reach the worker as batch tasks and are applied once each; the rows of
// a batch whose task was lost (stored, never queued) are applied once the
// sweep queues them.
func TestBatchTasksOnTheWorker(t *testing.T) {
	e := newEnv(t, envOptions{quiet: true})
	ctx := context.Background()
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	t.Cleanup(func() { _ = client.Close() })
	in := New(Deps{
		Store: e.store, Tx: e.store, Remote: e.fetcher, Moderation: e.mod,
		Queue: jobs.FederationQueue{Client: client}, Follows: e.follows,
		Likes: newLikes(e.store, e.urls), URLs: e.urls,
	})
	t.Cleanup(func() { _ = in.Shutdown(context.Background()) })
	e.inbox = in
	calls := e.countLikes(&sync.Map{})
	w := jobs.NewWorker(r, jobs.WorkerOptions{
		Queues: queues, Concurrency: 4, ShutdownTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler),
	})
	w.Handle(jobs.TypeInbox, jobs.HandleRowTask(in.Process))
	w.Handle(jobs.TypeInboxBatch, jobs.HandleBatchTask(in.ProcessBatch))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)

	alice := e.alice()
	received := make([]*app.Activity, 20)
	var wg sync.WaitGroup
	for i := range received {
		uri := fmt.Sprintf("%s#likes/w-%d", alice.id, i)
		doc := e.mustJSON(as2.NewActivity(uri, "Like", alice.id, e.urls.Object(fmt.Sprintf("w-%d", i))))
		received[i] = &app.Activity{URI: uri, Type: "Like", ActorURI: alice.id,
			Document: string(doc), State: app.ActivityPending, CreatedAt: time.Now().UTC()}
		wg.Go(func() {
			if _, err := in.insert(ctx, received[i]); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lost := e.likeBatch(alice, "lost", 3, time.Now().Add(-2*SweepAge))
	if err := in.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	all := append(received, lost...)
	jobstest.WaitUntil(t, "every row to be processed", func() bool {
		return e.count(&app.Activity{}, "state = ?", app.ActivityProcessed) == int64(len(all))
	})
	jobstest.WaitUntil(t, "the queue to be idle", func() bool { return !jobstest.Busy(t, r, queues, jobs.QueueInbox) })
	for _, a := range all {
		if n := callsOf(calls, a.URI); n != 1 {
			t.Errorf("%s applied %d times, want once", a.URI, n)
		}
	}
	if n := e.count(&app.Like{}, ""); n != int64(len(all)) {
		t.Errorf("%d likes stored, want %d", n, len(all))
	}
}
