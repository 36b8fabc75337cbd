package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
)

var (
	tasksProcessed = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "plaudit_jobs_processed_total",
		Help: "Background tasks processed, by type and outcome.",
	}, []string{"type", "outcome"})
	taskSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "plaudit_job_duration_seconds",
		Help:    "Time spent processing background tasks, by type.",
		Buckets: prometheus.DefBuckets,
	}, []string{"type"})
)

// WorkerOptions configure a Worker.
type WorkerOptions struct {
	Queues          Queues
	Concurrency     int
	ShutdownTimeout time.Duration
	// PollInterval is how often scheduled and retried tasks are moved to
	// their queue; zero keeps asynq's 5 s default. Tests lower it.
	PollInterval time.Duration
	// RetryDelay is the wait before the n-th retry of a failed task; nil
	// keeps asynq's default (n⁴ + 15 s plus jitter). Tests shorten it.
	RetryDelay func(n int) time.Duration
	Logger     *slog.Logger
}

// Postponed is implemented by handler errors that mean "not now" rather
// than "failed": the work could not start yet (the remote host already has
// all the requests it may get). The task goes back to its queue for
// RetryAfter and its worker is free at once; the postponement counts as
// neither a failure nor one of the task's retries (but asynq archives a
// task postponed after it used up its retries, as it does a failed one).
type Postponed interface {
	error
	RetryAfter() time.Duration
}

// postponed returns err's Postponed, if it has one.
func postponed(err error) (Postponed, bool) {
	var p Postponed
	ok := errors.As(err, &p)
	return p, ok
}

// Worker processes tasks and runs the periodic scheduler.
type Worker struct {
	redis     *Redis
	opts      WorkerOptions
	mux       *asynq.ServeMux
	periodic  []periodicTask
	logger    *slog.Logger
	server    *asynq.Server
	scheduler *asynq.Scheduler
}

type periodicTask struct {
	cronspec string
	queue    string
	task     *asynq.Task
	unique   time.Duration
}

// NewWorker returns a Worker on r; register handlers before Start.
func NewWorker(r *Redis, opts WorkerOptions) *Worker {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	w := &Worker{redis: r, opts: opts, mux: asynq.NewServeMux(), logger: opts.Logger.With("component", "worker")}
	w.mux.Use(w.observe)
	return w
}

// Handle registers the handler for a task type.
func (w *Worker) Handle(taskType string, h asynq.HandlerFunc) {
	w.mux.HandleFunc(taskType, h)
}

// Periodic enqueues task on queue on the cron schedule. Every process that
// runs a worker also runs a scheduler; the task is made unique for `every`
// so that several schedulers enqueue it once per period.
func (w *Worker) Periodic(cronspec string, every time.Duration, queue string, task *asynq.Task) {
	w.periodic = append(w.periodic, periodicTask{cronspec: cronspec, queue: queue, task: task, unique: every})
}

func (w *Worker) observe(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		taskSeconds.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
		outcome := "ok"
		if p, ok := postponed(err); ok {
			outcome = "postponed"
			w.logger.Debug("task postponed", "type", t.Type(), "for", p.RetryAfter(), "reason", err)
		} else if err != nil {
			outcome = "error"
			w.logger.Warn("task failed", "type", t.Type(), "err", err)
		}
		tasksProcessed.WithLabelValues(t.Type(), outcome).Inc()
		return err
	})
}

// retryDelay is how long a task waits before it runs again after its
// handler returned err for the n-th time.
func (w *Worker) retryDelay(n int, err error, t *asynq.Task) time.Duration {
	if p, ok := postponed(err); ok {
		return p.RetryAfter()
	}
	if w.opts.RetryDelay != nil {
		return w.opts.RetryDelay(n)
	}
	return asynq.DefaultRetryDelayFunc(n, err, t)
}

// Start begins processing and scheduling in the background.
func (w *Worker) Start() error {
	w.server = asynq.NewServer(w.redis.Opt, asynq.Config{
		Concurrency:              w.opts.Concurrency,
		Queues:                   w.opts.Queues.priorities(),
		ShutdownTimeout:          w.opts.ShutdownTimeout,
		DelayedTaskCheckInterval: w.opts.PollInterval,
		RetryDelayFunc:           w.retryDelay,
		IsFailure:                func(err error) bool { _, later := postponed(err); return !later },
		Logger:                   asynqLogger{w.logger},
		LogLevel:                 asynq.WarnLevel,
	})
	if err := w.server.Start(w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	w.scheduler = asynq.NewScheduler(w.redis.Opt, &asynq.SchedulerOpts{Logger: asynqLogger{w.logger}, LogLevel: asynq.WarnLevel})
	for _, p := range w.periodic {
		opts := []asynq.Option{asynq.Queue(w.opts.Queues.Name(p.queue)), asynq.Unique(p.unique)}
		if _, err := w.scheduler.Register(p.cronspec, p.task, opts...); err != nil {
			w.server.Shutdown()
			return fmt.Errorf("schedule %s: %w", p.task.Type(), err)
		}
	}
	if err := w.scheduler.Start(); err != nil {
		w.server.Shutdown()
		return fmt.Errorf("start scheduler: %w", err)
	}
	w.logger.Info("worker started", "concurrency", w.opts.Concurrency, "periodic_tasks", len(w.periodic))
	return nil
}

// Shutdown stops taking tasks and waits up to ShutdownTimeout for the
// running ones to finish; unfinished ones go back to their queue.
func (w *Worker) Shutdown() {
	if w.scheduler != nil {
		w.scheduler.Shutdown()
	}
	if w.server != nil {
		w.server.Shutdown()
	}
}
