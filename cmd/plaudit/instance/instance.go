// Package instance wires one Plaudit instance together from configuration:
// database, Redis, use cases, the HTTP server and the background worker.
// The plaudit command runs one; multi-instance tests run several.
package instance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/web"
)

// Options change how an instance runs beyond its configuration.
type Options struct {
	Web    bool // serve HTTP
	Worker bool // process background jobs and run the scheduler
	// Queues namespaces the job queues (tests sharing one Redis).
	Queues jobs.Queues
	// JobPollInterval overrides how often delayed jobs are checked (tests).
	JobPollInterval time.Duration
	// Accounts overrides account options (tests use cheap password hashing).
	Accounts *accounts.Options
	// Listener serves HTTP instead of listening on cfg.Listen (tests).
	Listener net.Listener
	Logger   *slog.Logger
	// Mount adds routes to the HTTP server (tests).
	Mount []func(*gin.Engine)
	// DeliveryBackoff overrides the wait between delivery attempts (tests).
	DeliveryBackoff func(attempt int) time.Duration
}

// Instance is a running Plaudit.
type Instance struct {
	Config     configs.Config
	Logger     *slog.Logger
	Store      *store.Store
	Redis      *jobs.Redis
	Jobs       *jobs.Client
	Accounts   *accounts.Service
	Web        *web.Server
	Worker     *jobs.Worker
	Federation *Federation

	opts     Options
	http     *http.Server
	debug    *http.Server
	metrics  *http.Server
	metricsL net.Listener
	listener net.Listener
	served   chan error
}

// Open connects to the database and Redis and builds the use cases; Start
// begins serving.
func Open(ctx context.Context, cfg configs.Config, opts Options) (_ *Instance, err error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	inst := &Instance{Config: cfg, Logger: opts.Logger, opts: opts}
	defer func() {
		if err != nil {
			inst.Close()
		}
	}()
	if err := cfg.EnsureDataDir(); err != nil {
		return nil, err
	}
	if inst.Store, err = OpenStore(ctx, cfg, opts.Logger); err != nil {
		return nil, err
	}
	if opts.Worker && !opts.Web && cfg.RedisURL == "" {
		return nil, errors.New("plaudit worker needs redis_url: the embedded Redis lives inside `plaudit serve` and no other process can reach it")
	}
	if opts.Web && !opts.Worker && cfg.RedisURL == "" {
		return nil, errors.New("serve --no-worker needs redis_url: with the embedded Redis only this process could run the jobs")
	}
	if inst.Redis, err = jobs.ConnectRedis(ctx, cfg.RedisURL, opts.Logger); err != nil {
		return nil, err
	}
	inst.Jobs = jobs.NewClient(inst.Redis, opts.Queues)
	accOpts := accounts.Options{}
	if opts.Accounts != nil {
		accOpts = *opts.Accounts
	}
	accOpts.SignupMode = cfg.Signup
	if accOpts.HashSlots == nil {
		accOpts.HashSlots = accounts.NewHashSlots(cfg.Auth.HashConcurrency)
	}
	if accOpts.TokenTTL == 0 {
		accOpts.TokenTTL = cfg.Auth.TokenTTL
	}
	if inst.Accounts, err = accounts.New(inst.Store, accOpts); err != nil {
		return nil, err
	}
	if err := inst.buildFederation(); err != nil {
		return nil, err
	}
	if opts.Web {
		if err := inst.buildWeb(); err != nil {
			return nil, err
		}
	}
	if opts.Worker {
		inst.buildWorker()
	}
	return inst, nil
}

// OpenStore opens the configured database, migrates it when auto_migrate is
// on, and refuses a schema this binary does not know.
func OpenStore(ctx context.Context, cfg configs.Config, logger *slog.Logger) (*store.Store, error) {
	s, err := store.Open(ctx, cfg.StoreURL())
	if err != nil {
		return nil, err
	}
	if cfg.AutoMigrate {
		if n, err := s.Migrate(ctx, nil); err != nil {
			_ = s.Close()
			return nil, err
		} else if n > 0 {
			logger.Info("database migrated", "applied", n)
		}
	}
	if err := s.CheckSchema(ctx); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func (inst *Instance) processName(role string) string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s:%d", role, host, os.Getpid())
}

func (inst *Instance) buildWeb() error {
	probes := &jobs.Probes{Store: inst.Store, Client: inst.Jobs, Name: inst.processName("web")}
	srv, err := web.New(web.Deps{
		Accounts:       inst.Accounts,
		Probes:         probes,
		Health:         map[string]web.Pinger{"database": inst.Store, "redis": inst.Redis},
		Domain:         inst.Config.Domain,
		BaseURL:        inst.Config.BaseURL(),
		BodyLimit:      inst.Config.BodyLimit,
		Logger:         inst.Logger,
		Mount:          inst.opts.Mount,
		Outbox:         inst.Federation.Submitter,
		Moderation:     inst.Federation.Moderation,
		Deliveries:     inst.Federation.Deliverer,
		FollowRequests: inst.Federation.Follows,
		Profiles:       inst.Federation.Profiles,
		Inbox:          inst.Federation.Inbox,
		Actors:         inst.Federation.Actors,
		Discovery:      inst.Federation.Discovery,
		TrustedProxies: inst.Config.TrustedProxies,
		MetricsToken:   inst.Config.MetricsToken,
		LoginLimits: &web.LoginLimits{
			PerIP:       inst.Config.Auth.IPAttempts,
			PerUsername: inst.Config.Auth.UsernameAttempts,
			Window:      inst.Config.Auth.AttemptWindow,
		},
	})
	if err != nil {
		return err
	}
	inst.Web = srv
	return nil
}

func (inst *Instance) buildWorker() {
	w := jobs.NewWorker(inst.Redis, jobs.WorkerOptions{
		Queues:          inst.opts.Queues,
		Concurrency:     inst.Config.Worker.Concurrency,
		ShutdownTimeout: inst.Config.ShutdownTimeout,
		PollInterval:    inst.opts.JobPollInterval,
		Logger:          inst.Logger,
	})
	w.Handle(jobs.TypeProbe, jobs.HandleProbeTask(inst.Store, inst.processName("worker")))
	inst.Federation.registerJobs(w)
	inst.Worker = w
}

// Start begins processing jobs and serving HTTP in the background.
func (inst *Instance) Start() error {
	if inst.Worker != nil {
		if err := inst.Worker.Start(); err != nil {
			return err
		}
		// Rebuild the queue from the database before the first periodic sweep.
		if err := inst.Jobs.Enqueue(context.Background(), jobs.QueueLow, jobs.NewSweepTask()); err != nil {
			inst.Logger.Warn("start-up sweep not queued; the periodic one will run", "err", err)
		}
	}
	inst.startDebug()
	if err := inst.startMetrics(); err != nil {
		return err
	}
	if inst.Web == nil {
		return nil
	}
	ln := inst.opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", inst.Config.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", inst.Config.Listen, err)
		}
	}
	inst.listener = ln
	inst.http = &http.Server{
		Handler:           inst.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(inst.Logger.Handler(), slog.LevelWarn),
	}
	inst.served = make(chan error, 1)
	go func() { inst.served <- inst.http.Serve(ln) }()
	inst.Logger.Info("serving", "addr", ln.Addr().String(), "url", inst.Config.BaseURL())
	return nil
}

// Addr is the address HTTP is served on, once started.
func (inst *Instance) Addr() string {
	if inst.listener == nil {
		return ""
	}
	return inst.listener.Addr().String()
}

// Served reports the HTTP server's end: http.ErrServerClosed after
// Shutdown, another error when the listener failed.
func (inst *Instance) Served() <-chan error { return inst.served }

// Shutdown stops taking requests and jobs and waits, up to the configured
// shutdown_timeout, for the ones in flight to finish: HTTP requests, then
// the received activities still being written, then jobs; it then closes
// the idle connections to other servers.
func (inst *Instance) Shutdown(ctx context.Context) error {
	var errs []error
	ctx, cancel := context.WithTimeout(ctx, inst.Config.ShutdownTimeout)
	defer cancel()
	if inst.http != nil {
		if err := inst.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		}
	}
	if inst.Federation != nil {
		if err := inst.Federation.Inbox.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if inst.Worker != nil {
		inst.Worker.Shutdown()
	}
	if inst.Federation != nil {
		inst.Federation.Client.CloseIdleConnections()
	}
	if inst.debug != nil {
		_ = inst.debug.Close()
	}
	if inst.metrics != nil {
		_ = inst.metrics.Close()
	}
	return errors.Join(errs...)
}

// Close releases connections; call after Shutdown.
func (inst *Instance) Close() {
	if inst.Jobs != nil {
		_ = inst.Jobs.Close()
	}
	if inst.Redis != nil {
		inst.Redis.Close()
	}
	if inst.Store != nil {
		_ = inst.Store.Close()
	}
}
