package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// startWorker runs a worker with handlers on the test's queues until the
// test ends. Retries of failed tasks wait retryDelay.
func startWorker(t *testing.T, r *jobs.Redis, queues jobs.Queues, retryDelay time.Duration, handlers map[string]asynq.HandlerFunc) {
	t.Helper()
	w := jobs.NewWorker(r, jobs.WorkerOptions{
		Queues: queues, Concurrency: 2, ShutdownTimeout: 5 * time.Second, PollInterval: 100 * time.Millisecond,
		RetryDelay: func(int) time.Duration { return retryDelay },
		Logger:     slog.New(slog.DiscardHandler),
	})
	for typ, h := range handlers {
		w.Handle(typ, h)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown)
}

// taskState is the state of task id on queue, "" when there is no such task.
func taskState(t *testing.T, r *jobs.Redis, queue, id string) string {
	t.Helper()
	in := asynq.NewInspectorFromRedisClient(r.Client())
	info, err := in.GetTaskInfo(queue, id)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return info.State.String()
}

// TestEnqueueReplacesTasksThatWillNotRunSoon: a TaskID held by a task
// that is archived, completed or waiting for its retry backoff does not
// keep the same work from being queued again and run now.
func TestEnqueueReplacesTasksThatWillNotRunSoon(t *testing.T) {
	for name, tc := range map[string]struct {
		failFirst bool // the first run fails
		opts      []asynq.Option
		wantState string // of the first task once it ran
	}{
		"archived after its retries ran out": {failFirst: true, opts: []asynq.Option{asynq.MaxRetry(0)}, wantState: "archived"},
		"completed and retained":             {opts: []asynq.Option{asynq.Retention(time.Hour)}, wantState: "completed"},
		"waiting for a retry an hour away":   {failFirst: true, opts: []asynq.Option{asynq.MaxRetry(5)}, wantState: "retry"},
	} {
		t.Run(name, func(t *testing.T) {
			r := jobstest.Redis(t)
			queues := jobstest.Queues(t)
			client := jobs.NewClient(r, queues)
			defer client.Close()
			var runs atomic.Int32
			startWorker(t, r, queues, time.Hour, map[string]asynq.HandlerFunc{
				"test:row": func(context.Context, *asynq.Task) error {
					if runs.Add(1) == 1 && tc.failFirst {
						return errors.New("database down")
					}
					return nil
				},
			})
			ctx := context.Background()
			opts := append([]asynq.Option{asynq.TaskID("row-1-1")}, tc.opts...)
			if err := client.Enqueue(ctx, jobs.QueueDefault, asynq.NewTask("test:row", nil), opts...); err != nil {
				t.Fatal(err)
			}
			queue := queues.Name(jobs.QueueDefault)
			waitFor(t, "the first task to be "+tc.wantState, func() bool { return taskState(t, r, queue, "row-1-1") == tc.wantState })
			if err := client.Enqueue(ctx, jobs.QueueDefault, asynq.NewTask("test:row", nil), opts...); err != nil {
				t.Fatalf("enqueue again: %v", err)
			}
			waitFor(t, "the task to run again", func() bool { return runs.Load() == 2 })
			if tc.wantState == "completed" {
				return // the replacement completes and is retained too
			}
			waitFor(t, "the replacement to finish", func() bool { return taskState(t, r, queue, "row-1-1") == "" })
		})
	}
}

// retryLater is a handler error that postpones its task.
type retryLater struct{ after time.Duration }

func (e retryLater) Error() string             { return fmt.Sprintf("busy, again in %s", e.after) }
func (e retryLater) RetryAfter() time.Duration { return e.after }

// TestPostponedTaskKeepsItsRetries: a task postponed more often than it
// may be retried is neither archived nor charged a retry; it runs again
// after RetryAfter until it is done.
func TestPostponedTaskKeepsItsRetries(t *testing.T) {
	r := jobstest.Redis(t)
	queues := jobstest.Queues(t)
	client := jobs.NewClient(r, queues)
	defer client.Close()
	var runs atomic.Int32
	done := make(chan struct{})
	var once sync.Once
	startWorker(t, r, queues, time.Hour, map[string]asynq.HandlerFunc{
		"test:busy": func(context.Context, *asynq.Task) error {
			if runs.Add(1) <= 3 {
				return fmt.Errorf("deliver: %w", retryLater{after: time.Second})
			}
			once.Do(func() { close(done) })
			return nil
		},
	})
	err := client.Enqueue(context.Background(), jobs.QueueDelivery, asynq.NewTask("test:busy", nil),
		asynq.MaxRetry(1), asynq.TaskID("busy-1"), asynq.Retention(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the task to be done after three postponements", func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	queue := queues.Name(jobs.QueueDelivery)
	waitFor(t, "the task to be completed", func() bool { return taskState(t, r, queue, "busy-1") == "completed" })
	info, err := asynq.NewInspectorFromRedisClient(r.Client()).GetTaskInfo(queue, "busy-1")
	if err != nil {
		t.Fatal(err)
	}
	if info.Retried != 0 || runs.Load() != 4 {
		t.Errorf("retried %d times in %d runs, want 0 retries and 4 runs", info.Retried, runs.Load())
	}
}
