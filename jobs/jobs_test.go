package jobs_test

import (
	"context"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestProbeProcessedByWorker(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	defer client.Close()

	w := jobs.NewWorker(r, jobs.WorkerOptions{Queues: queues, Concurrency: 2, ShutdownTimeout: 5 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	w.Handle(jobs.TypeProbe, jobs.HandleProbeTask(st, "worker-under-test"))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()

	probes := &jobs.Probes{Store: st, Client: client, Name: "web-under-test"}
	p, err := probes.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.ProcessedBy != nil {
		t.Fatal("probe processed before any worker ran it")
	}
	waitFor(t, "the probe to be processed", func() bool {
		got, err := probes.Get(ctx, p.ID)
		return err == nil && got.ProcessedBy != nil
	})
	got, _ := probes.Get(ctx, p.ID)
	if *got.ProcessedBy != "worker-under-test" || got.EnqueuedBy != "web-under-test" {
		t.Fatalf("probe = %+v", got)
	}
}

func TestShutdownWaitsForRunningTask(t *testing.T) {
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	defer client.Close()
	var started, finished atomic.Bool
	w := jobs.NewWorker(r, jobs.WorkerOptions{Queues: queues, Concurrency: 1, ShutdownTimeout: 10 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	w.Handle("test:slow", func(ctx context.Context, _ *asynq.Task) error {
		started.Store(true)
		time.Sleep(700 * time.Millisecond)
		finished.Store(true)
		return nil
	})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	if err := client.Enqueue(context.Background(), jobs.QueueDefault, asynq.NewTask("test:slow", nil)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the slow task to start", started.Load)
	w.Shutdown()
	if !finished.Load() {
		t.Fatal("Shutdown returned before the running task finished")
	}
}

func TestPeriodicTaskRuns(t *testing.T) {
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	var runs atomic.Int32
	w := jobs.NewWorker(r, jobs.WorkerOptions{Queues: queues, Concurrency: 1, ShutdownTimeout: time.Second, Logger: slog.New(slog.DiscardHandler)})
	w.Handle("test:tick", func(context.Context, *asynq.Task) error { runs.Add(1); return nil })
	w.Periodic("@every 1s", time.Second, jobs.QueueDefault, asynq.NewTask("test:tick", nil))
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Shutdown()
	waitFor(t, "the periodic task to run", func() bool { return runs.Load() >= 1 })
}

func TestDuplicateTaskIDQueuedOnce(t *testing.T) {
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	defer client.Close()
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := client.Enqueue(ctx, jobs.QueueLow, asynq.NewTask("test:once", nil), asynq.TaskID("same-id"), asynq.ProcessIn(time.Hour)); err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	info, err := asynq.NewInspector(r.Opt).GetQueueInfo(queues.Name(jobs.QueueLow))
	if err != nil {
		t.Fatal(err)
	}
	if info.Scheduled != 1 {
		t.Fatalf("scheduled tasks = %d, want 1", info.Scheduled)
	}
}
