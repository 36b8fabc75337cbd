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
	"github.com/hibiken/asynqmon"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/oauthapps"
	"github.com/plaudit/plaudit/app/pages"
	"github.com/plaudit/plaudit/app/settings"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
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
	// StatementEmbedLimit overrides the size above which a statement is
	// offered by id rather than embedded (tests).
	StatementEmbedLimit int
}

// Instance is a running Plaudit.
type Instance struct {
	config     configs.Config
	logger     *slog.Logger
	store      *store.Store
	redis      *jobs.Redis
	jobs       *jobs.Client
	accounts   *accounts.Service
	web        *web.Server
	worker     *jobs.Worker
	federation *federationParts
	money      *Money
	oauthApps  *oauthapps.Service

	opts  Options
	http  *http.Server
	debug *http.Server
	// queues is the job queues' UI (asynqmon) of the admin pages; it
	// holds Redis clients of its own.
	queues   *asynqmon.HTTPHandler
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
	inst := &Instance{config: cfg, logger: opts.Logger, opts: opts}
	defer func() {
		if err != nil {
			inst.Close()
		}
	}()
	if err := cfg.EnsureDataDir(); err != nil {
		return nil, err
	}
	if inst.store, err = OpenStore(ctx, cfg, opts.Logger); err != nil {
		return nil, err
	}
	if opts.Worker && !opts.Web && cfg.RedisURL == "" {
		return nil, errors.New("plaudit worker needs redis_url: the embedded Redis lives inside `plaudit serve` and no other process can reach it")
	}
	if opts.Web && !opts.Worker && cfg.RedisURL == "" {
		return nil, errors.New("serve --no-worker needs redis_url: with the embedded Redis only this process could run the jobs")
	}
	if inst.redis, err = jobs.ConnectRedis(ctx, cfg.RedisURL, opts.Logger); err != nil {
		return nil, err
	}
	inst.jobs = jobs.NewClient(inst.redis, opts.Queues)
	accOpts := accounts.Options{}
	if opts.Accounts != nil {
		accOpts = *opts.Accounts
	}
	accOpts.SignupMode = cfg.Signup
	accOpts.Protected = append(accOpts.Protected, cfg.FlattrHandle)
	if accOpts.HashSlots == nil {
		accOpts.HashSlots = accounts.NewHashSlots(cfg.Auth.HashConcurrency)
	}
	if accOpts.TokenTTL == 0 {
		accOpts.TokenTTL = cfg.Auth.TokenTTL
	}
	if inst.accounts, err = accounts.New(inst.store, accOpts); err != nil {
		return nil, err
	}
	if err := inst.ensureFlattrActor(ctx); err != nil {
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
	probes := &jobs.Probes{Store: inst.store, Client: inst.jobs, Name: inst.processName("web")}
	lookup := &things.Lookup{Store: inst.store.Things}
	srv, err := web.New(web.Deps{
		Accounts:        inst.accounts,
		Probes:          probes,
		Health:          map[string]web.Pinger{"database": inst.store, "redis": inst.redis},
		Domain:          inst.config.Domain,
		BaseURL:         inst.config.BaseURL(),
		Currency:        inst.config.Currency,
		BodyLimit:       inst.config.BodyLimit,
		Logger:          inst.logger,
		Mount:           inst.opts.Mount,
		Outbox:          inst.federation.Submitter,
		Moderation:      inst.federation.Moderation,
		Deliveries:      inst.federation.Deliverer,
		FollowRequests:  inst.federation.Follows,
		Profiles:        inst.federation.Profiles,
		Claims:          inst.federation.Claims,
		Blogs:           inst.federation.Blogs,
		Flattrs:         inst.federation.Likes,
		Subscriptions:   inst.federation.Likes,
		CoCreators:      inst.federation.Things,
		Funding:         inst.money.Months,
		TopUps:          inst.money,
		StripeWebhook:   inst.stripeWebhook(),
		PayoutDetails:   inst.money.Payouts,
		Statements:      inst.money.Statements,
		Things:          lookup,
		OwnedThings:     lookup,
		ThingResolver:   inst.federation.Things,
		CountCacheTTL:   inst.config.Button.CountCache,
		Inbox:           inst.federation.Inbox,
		Actors:          inst.federation.Actors,
		PeerStatements:  inst.federation.SettlementDocuments.ServeStatement,
		Discovery:       inst.federation.Discovery,
		TrustedProxies:  inst.config.TrustedProxies,
		MetricsToken:    inst.config.MetricsToken,
		OAuthApps:       inst.oauth(),
		StatusThings:    inst.federation.Things,
		Favourites:      inst.federation.Likes,
		Mastodon:        inst.federation.Social,
		Version:         Version,
		Admin:           inst.adminWeb(),
		Pages:           &pages.Service{Store: inst.store, BaseURL: inst.config.BaseURL()},
		Settings:        &settings.Service{Store: inst.store.Users},
		LinkCodes:       inst.linkCodes(),
		AutoFlattr:      inst.autoFlattrWeb(),
		FlattrActorAcct: "@" + inst.config.FlattrHandle + "@" + inst.config.Domain,
		LoginLimits: &web.LoginLimits{
			PerIP:       inst.config.Auth.IPAttempts,
			PerUsername: inst.config.Auth.UsernameAttempts,
			Window:      inst.config.Auth.AttemptWindow,
		},
	})
	if err != nil {
		return err
	}
	inst.web = srv
	return nil
}

// stripeWebhook is Stripe's webhook handler, or nil without Stripe.
func (inst *Instance) stripeWebhook() http.HandlerFunc {
	if inst.money.Stripe == nil {
		return nil
	}
	return inst.money.Stripe.ServeWebhook
}

func (inst *Instance) buildWorker() {
	w := jobs.NewWorker(inst.redis, jobs.WorkerOptions{
		Queues:          inst.opts.Queues,
		Concurrency:     inst.config.Worker.Concurrency,
		ShutdownTimeout: inst.config.ShutdownTimeout,
		PollInterval:    inst.opts.JobPollInterval,
		Logger:          inst.logger,
	})
	w.Handle(jobs.TypeProbe, jobs.HandleProbeTask(inst.store, inst.processName("worker")))
	inst.federation.registerJobs(w)
	inst.registerMoneyJobs(w)
	w.Handle(jobs.TypePruneOAuthCodes, jobs.HandlePruneOAuthCodesTask(inst.oauth().PruneCodes))
	w.Periodic("@every 1h", time.Hour, jobs.QueueLow, jobs.NewPruneOAuthCodesTask())
	inst.worker = w
}

// oauth is the use cases of the Mastodon API's client apps, made once.
func (inst *Instance) oauth() *oauthapps.Service {
	if inst.oauthApps == nil {
		inst.oauthApps = oauthapps.New(inst.store.OAuth, nil)
	}
	return inst.oauthApps
}

// Start begins processing jobs and serving HTTP in the background.
func (inst *Instance) Start() error {
	if inst.worker != nil {
		if err := inst.worker.Start(); err != nil {
			return err
		}
		// Rebuild the queue from the database before the first periodic sweep.
		if err := inst.jobs.Enqueue(context.Background(), jobs.QueueLow, jobs.NewSweepTask()); err != nil {
			inst.logger.Warn("start-up sweep not queued; the periodic one will run", "err", err)
		}
	}
	inst.startDebug()
	if err := inst.startMetrics(); err != nil {
		return err
	}
	if inst.web == nil {
		return nil
	}
	ln := inst.opts.Listener
	if ln == nil {
		var err error
		if ln, err = net.Listen("tcp", inst.config.Listen); err != nil {
			return fmt.Errorf("listen on %s: %w", inst.config.Listen, err)
		}
	}
	inst.listener = ln
	inst.http = &http.Server{
		Handler:           inst.web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(inst.logger.Handler(), slog.LevelWarn),
	}
	inst.served = make(chan error, 1)
	go func() { inst.served <- inst.http.Serve(ln) }()
	inst.logger.Info("serving", "addr", ln.Addr().String(), "url", inst.config.BaseURL())
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
	ctx, cancel := context.WithTimeout(ctx, inst.config.ShutdownTimeout)
	defer cancel()
	if inst.http != nil {
		if err := inst.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shut down http: %w", err))
		}
	}
	if inst.federation != nil {
		if err := inst.federation.Inbox.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if inst.worker != nil {
		inst.worker.Shutdown()
	}
	if inst.federation != nil {
		inst.federation.Client.CloseIdleConnections()
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
	if inst.queues != nil {
		_ = inst.queues.Close()
	}
	if inst.jobs != nil {
		_ = inst.jobs.Close()
	}
	if inst.redis != nil {
		inst.redis.Close()
	}
	if inst.store != nil {
		_ = inst.store.Close()
	}
}
