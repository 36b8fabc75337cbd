package instance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/plaudit/plaudit/app/autoflattr"

	appmentions "github.com/plaudit/plaudit/app/mentions"

	appsettlement "github.com/plaudit/plaudit/app/settlement"
	fedsettlement "github.com/plaudit/plaudit/federation/settlement"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/blogs"
	"github.com/plaudit/plaudit/app/claims"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/follows"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/app/profiles"
	"github.com/plaudit/plaudit/app/settings"
	"github.com/plaudit/plaudit/app/social"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/actors"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/delivery"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/discovery"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/inbox"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/transport"
	"github.com/plaudit/plaudit/jobs"
)

// Version is reported in NodeInfo and the User-Agent; the command sets it.
var Version = "dev"

// federationParts are the ActivityPub side of an instance.
type federationParts struct {
	URLs       federation.URLs
	Keys       *keys.Keyring
	Client     *transport.Client
	Fetcher    *dereference.Fetcher
	Verifier   *httpsig.Verifier
	Moderation *moderation.Service
	Publisher  *outbox.Publisher
	Submitter  *outbox.Submitter
	Follows    *follows.Service
	Things     *things.Service
	Likes      *flattrs.Service
	Posts      *posts.Service
	Profiles   *profiles.Service
	// Claims and Blogs: who owns what can be flattred, and the blogs
	// whose posts become things (see blogs.go).
	Claims *claims.Service
	Blogs  *blogs.Service
	// Settlement settles flattrs with peers; SettlementReceiver reads its
	// messages in the inbox, SettlementDocuments serves statements.
	Settlement          *appsettlement.Service
	SettlementReceiver  *fedsettlement.Receiver
	SettlementDocuments *fedsettlement.Documents
	likeSink            *likeSink
	// Mentions flattrs by reply to the flattr actor; nil when it is off.
	Mentions *appmentions.Service
	// AutoFlattr turns favourites on home servers into flattrs; nil
	// without auto_flattr_key.
	AutoFlattr *autoflattr.Service
	// Social is the Mastodon API's timelines and notifications (see
	// mastodon.go).
	Social *social.Service
	// RemoteBlocks applies remote actors' blocks of local ones.
	RemoteBlocks *moderation.RemoteBlocks
	Inbox        *inbox.Inbox
	Deliverer    *delivery.Deliverer
	Discovery    *discovery.Handlers
	Actors       *actors.Handlers
	logger       *slog.Logger
}

func (inst *Instance) buildFederation() error {
	cfg := inst.config
	urls := federation.NewURLs(cfg.BaseURL())
	f := &federationParts{URLs: urls, Keys: keys.New(inst.store, urls), logger: inst.logger}
	f.Client = transport.New(transport.Options{
		UserAgent:             fmt.Sprintf("Plaudit/%s (+%s)", Version, cfg.BaseURL()),
		AllowHTTP:             cfg.Federation.AllowHTTP,
		AllowPrivateAddresses: cfg.Federation.AllowPrivateAddresses,
		Signer:                dereference.NewInstanceSigner(f.Keys),
		Logger:                inst.logger,
	})
	f.Fetcher = dereference.New(dereference.Deps{Store: inst.store, Keys: f.Keys, Client: f.Client, URLs: urls, Logger: inst.logger})
	verifier, err := httpsig.NewVerifier(httpsig.Options{
		KeyResolver: f.Fetcher,
		// One replay cache for every web process of the instance.
		ReplayCache: httpsig.NewRedisReplayCache(inst.redis.Client(), "plaudit:"+inst.opts.Queues.Name("replay")+":"),
	})
	if err != nil {
		return fmt.Errorf("signature verifier: %w", err)
	}
	f.Verifier = verifier
	f.Moderation = moderation.New(inst.store.Blocks, urls.InstanceActor())
	queue := jobs.FederationQueue{Client: inst.jobs}
	f.Publisher = outbox.New(outbox.Deps{
		Tx: inst.store.Database, Store: inst.store, Actors: f.Fetcher, Objects: f.Fetcher, Queue: queue, URLs: urls,
		Moderation: f.Moderation, Logger: inst.logger,
		Person: func(u *app.User) as2.Document { return f.Actors.Person(u) },
	})
	if err := f.buildUseCases(inst); err != nil {
		return err
	}
	f.buildBlogs(inst)
	f.buildSettlement(inst)
	if err := f.buildAutoFlattr(inst); err != nil {
		return err
	}
	f.Deliverer = delivery.New(delivery.Deps{
		Tx: inst.store.Database, Store: inst.store, Keys: f.Keys, Client: f.Client, Queue: queue, Moderation: f.Moderation,
		HostConcurrency: hostConcurrency(cfg), Attempts: cfg.Federation.DeliveryAttempts,
		Backoff: inst.opts.DeliveryBackoff, Logger: inst.logger,
	})
	f.Inbox = inbox.New(inbox.Deps{
		Store: inst.store, Tx: inst.store.Database, Verifier: f.Verifier, Remote: f.Fetcher, Moderation: f.Moderation,
		Queue: queue, Follows: f.Follows, Likes: f.Likes, Things: f.Things, Blocks: f.RemoteBlocks,
		URLs: urls, BodyLimit: cfg.BodyLimit, Writers: inboxWriters(cfg, inst.store.Database),
		DeferFlattrs: inst.opts.Web && !inst.opts.Worker,
		RateLimit:    float64(cfg.Federation.InboxRateLimit), Reachable: f.Deliverer.MarkReachable, Logger: inst.logger,
		Created: createdAll{f.created(inst), f.social(inst)}, Settlements: f.SettlementReceiver,
	})
	f.likeSink.in = f.Inbox
	f.Discovery = discovery.New(discovery.Deps{
		Users: inst.store.Users, Activities: inst.store.Activities, URLs: urls, Version: Version, SignupOpen: cfg.Signup == configs.SignupOpen,
		Currency: cfg.Currency, Logger: inst.logger,
	})
	f.Actors = actors.New(actors.Deps{
		Users: inst.store.Users, Follows: inst.store.Follows, Activities: inst.store.Activities, URLs: urls, Keys: f.Keys, Verifier: f.Verifier,
		AuthorizedFetch: cfg.Federation.AuthorizedFetch, Moderation: f.Moderation,
		Logger: inst.logger,
	})
	f.SettlementDocuments = fedsettlement.NewDocuments(f.Settlement, urls, actors.Signer)
	inst.federation = f
	return nil
}

// buildUseCases makes the use cases that publish through the outbox.
func (f *federationParts) buildUseCases(inst *Instance) error {
	st := inst.store
	f.Follows = follows.New(follows.Deps{Tx: st.Database, Store: st.Follows, Users: st.Users, Actors: f.Fetcher, Outbox: f.Publisher, URLs: f.URLs})
	f.Things = things.New(things.Deps{
		Tx: st.Database, Store: st.Things, Resolver: f.thingResolver(inst),
		Recipients: st.Things, URLs: f.URLs,
	})
	money, err := NewMoney(inst.config, st, f.Things, inst.processName("worker"))
	if err != nil {
		return err
	}
	inst.money = money
	f.Likes = flattrs.New(flattrs.Deps{
		Tx: st.Database, Store: st.Flattrs, Likes: st.Likes, Things: f.Things, Outbox: f.Publisher,
		Months: money.Months, Subscriptions: st.Flattrs, URLs: f.URLs, Liked: f.liked,
		Privacy: &settings.Service{Store: st.Users},
	})
	f.Posts = posts.New(posts.Deps{Tx: st.Database, Store: st.Posts, Outbox: f.Publisher, Things: f.Things, URLs: f.URLs})
	f.Profiles = profiles.New(inst.accounts, f.Publisher, inst.logger)
	f.Submitter = &outbox.Submitter{Follows: f.Follows, Likes: f.Likes, Posts: f.Posts, Activities: st.Activities, Recipients: f.Publisher, URLs: f.URLs}
	f.RemoteBlocks = moderation.NewRemoteBlocks(st.Database, st.Blocks, st.Follows, nil)
	return nil
}

// hostConcurrency is how many deliveries to one host a worker process
// runs at once: delivery_host_concurrency, but never more than half the
// worker's slots (at least one), so that one slow server cannot hold every
// worker while received activities and other deliveries wait.
func hostConcurrency(cfg configs.Config) int {
	return min(cfg.Federation.DeliveryHostConcurrency, max(1, cfg.Worker.Concurrency/2))
}

// registerFederationJobs adds the federation task handlers and the sweep.
func (f *federationParts) registerJobs(w *jobs.Worker) {
	w.Handle(jobs.TypeInbox, jobs.HandleRowTask(f.Inbox.Process))
	w.Handle(jobs.TypeInboxBatch, jobs.HandleBatchTask(f.Inbox.ProcessBatch))
	w.Handle(jobs.TypeDeliver, jobs.HandleRowTask(f.Deliverer.Deliver))
	w.Handle(jobs.TypeSweep, jobs.HandleSweepTask(f.Sweep))
	w.Periodic("@every 1m", time.Minute, jobs.QueueLow, jobs.NewSweepTask())
	f.registerBlogJobs(w)
	f.registerAutoFlattrJobs(w)
	w.Handle(jobs.TypeRenewSubscriptions, jobs.HandleRenewSubscriptionsTask(func(ctx context.Context) error {
		_, err := f.Likes.RenewSubscriptions(ctx, f.logger)
		return err
	}))
	// Hourly: the first run of a month renews every subscription; the
	// others find nothing due.
	w.Periodic("@every 1h", time.Hour, jobs.QueueLow, jobs.NewRenewSubscriptionsTask())
}

// Sweep re-enqueues what the queue may have lost or given up on: received
// activities and deliveries that are due (their tasks lost with the
// embedded Redis, archived after their retries ran out, or their worker
// gone). The rows are the record, so neither a restart nor an outage of
// the database or Redis loses anything.
func (f *federationParts) Sweep(ctx context.Context) error {
	return errors.Join(f.Inbox.SweepPending(ctx), f.Deliverer.SweepDue(ctx))
}

// inboxWriters is how many inbox batches one web process writes at once:
// as configured on PostgreSQL, one on SQLite, which takes one writer at a
// time.
func inboxWriters(cfg configs.Config, db *store.Database) int {
	if cfg.Federation.InboxWriters > 0 && db.Dialect() == store.Postgres {
		return cfg.Federation.InboxWriters
	}
	return 1
}
