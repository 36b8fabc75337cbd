package jobs

import (
	"context"
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
	Logger       *slog.Logger
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
		if err != nil {
			outcome = "error"
			w.logger.Warn("task failed", "type", t.Type(), "err", err)
		}
		tasksProcessed.WithLabelValues(t.Type(), outcome).Inc()
		return err
	})
}

// Start begins processing and scheduling in the background.
func (w *Worker) Start() error {
	w.server = asynq.NewServer(w.redis.Opt, asynq.Config{
		Concurrency:              w.opts.Concurrency,
		Queues:                   w.opts.Queues.priorities(),
		ShutdownTimeout:          w.opts.ShutdownTimeout,
		DelayedTaskCheckInterval: w.opts.PollInterval,
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
