package inbox

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// outageStore is the store with a database outage that can be turned on:
// activities cannot be read.
type outageStore struct {
	*store.Store
	down *atomic.Bool
}

func (s outageStore) ActivityByID(ctx context.Context, id int64) (*app.Activity, error) {
	if s.down.Load() {
		return nil, errors.New("database down")
	}
	return s.Store.ActivityByID(ctx, id)
}

// TestSweepRecoversArchivedTask: the database is down for as long as the
// task's retries last, so asynq archives the task, whose id it keeps. Once
// the database is back, the sweep queues the row again and the Like is
// applied exactly once.
func TestSweepRecoversArchivedTask(t *testing.T) {
	e := newEnv(t, envOptions{quiet: true})
	ctx := context.Background()
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	t.Cleanup(func() { _ = client.Close() })
	var down atomic.Bool
	in := New(Deps{
		Store: outageStore{Store: e.store, down: &down}, Remote: e.fetcher, Moderation: e.mod,
		Queue: jobs.FederationQueue{Client: client}, Follows: e.follows,
		Likes: newLikes(e.store, e.urls), URLs: e.urls,
	})
	var applied atomic.Int32
	like := in.handlers["Like"]
	in.handlers["Like"] = func(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
		applied.Add(1)
		return like(ctx, rec, act)
	}
	w := jobs.NewWorker(r, jobs.WorkerOptions{
		Queues: queues, Concurrency: 2, ShutdownTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
		RetryDelay: func(int) time.Duration { return 0 }, Logger: slog.New(slog.DiscardHandler),
	})
	w.Handle(jobs.TypeInbox, jobs.HandleRowTask(in.Process))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)

	alice := e.alice()
	doc := e.mustJSON(as2.NewActivity(alice.id+"#likes/outage", "Like", alice.id, e.urls.Object("t")))
	a := e.insertReceived(doc, time.Now().Add(-2*SweepAge), app.ActivityPending)
	down.Store(true)
	if err := in.queue.EnqueueInbox(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	jobstest.WaitUntil(t, "the task to be archived", func() bool { return jobstest.QueueInfo(t, r, queues, jobs.QueueInbox).Archived == 1 })
	down.Store(false)

	if err := in.SweepPending(ctx); err != nil {
		t.Fatal(err)
	}
	jobstest.WaitUntil(t, "the activity to be processed", func() bool { return e.activity(a.URI).State == app.ActivityProcessed })
	jobstest.WaitUntil(t, "the queue to be idle", func() bool { return !jobstest.Busy(t, r, queues, jobs.QueueInbox) })
	if n := applied.Load(); n != 1 {
		t.Errorf("the Like was applied %d times, want once", n)
	}
	if n := e.count(&app.Like{}, "activity_uri = ?", a.URI); n != 1 {
		t.Errorf("%d likes stored, want 1", n)
	}
}
