package delivery_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/delivery"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// outageStore is the store with a database outage that can be turned on:
// deliveries cannot be read.
type outageStore struct {
	*store.Store
	down *atomic.Bool
}

func (s outageStore) DeliveryByID(ctx context.Context, id int64) (*app.Delivery, error) {
	if s.down.Load() {
		return nil, errors.New("database down")
	}
	return s.Store.DeliveryByID(ctx, id)
}

// TestSweepRecoversArchivedDelivery: Deliver fails with infrastructure
// errors (the database is down) until asynq's retries run out and it
// archives the task, whose id it keeps. Once the database is back, the
// sweep queues the delivery again and the inbox gets it exactly once.
func TestSweepRecoversArchivedDelivery(t *testing.T) {
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	t.Cleanup(func() { _ = client.Close() })
	var down atomic.Bool
	e := newEnv(t, func(d *delivery.Deps) {
		d.Store = outageStore{Store: d.Store.(*store.Store), down: &down}
		d.Queue = jobs.FederationQueue{Client: client}
	})
	w := jobs.NewWorker(r, jobs.WorkerOptions{
		Queues: queues, Concurrency: 2, ShutdownTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
		RetryDelay: func(int) time.Duration { return 0 }, Logger: slog.New(slog.DiscardHandler),
	})
	w.Handle(jobs.TypeDeliver, jobs.HandleRowTask(e.d.Deliver))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)

	in := e.newInbox(t, always(202))
	act, ds := e.publish(t, in.URL+"/users/bob/inbox")
	ctx := context.Background()
	down.Store(true)
	if err := e.deps.Queue.EnqueueDelivery(ctx, ds[0].ID, 1, time.Time{}); err != nil {
		t.Fatal(err)
	}
	jobstest.WaitUntil(t, "the task to be archived", func() bool { return jobstest.QueueInfo(t, r, queues, jobs.QueueDelivery).Archived == 1 })
	down.Store(false)

	if err := e.d.SweepDue(ctx); err != nil {
		t.Fatal(err)
	}
	jobstest.WaitUntil(t, "the delivery to be delivered", func() bool { return e.delivery(t, ds[0].ID).State == app.DeliveryDelivered })
	jobstest.WaitUntil(t, "the queue to be idle", func() bool { return !jobstest.Busy(t, r, queues, jobs.QueueDelivery) })
	if got := e.delivery(t, ds[0].ID); got.Attempts != 1 {
		t.Errorf("delivered after %d attempts, want 1", got.Attempts)
	}
	accepted := in.acceptedBodies()
	if n := in.requests.Load(); n != 1 || len(accepted) != 1 || accepted[0] != act.Document {
		t.Errorf("inbox got %d requests, accepted %d, want the activity once", n, len(accepted))
	}
}
