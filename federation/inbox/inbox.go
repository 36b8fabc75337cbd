// Package inbox receives ActivityPub activities: the HTTP side verifies,
// moderates, deduplicates and records each POST and answers 202 Accepted at
// once; Process, run by the federation:inbox job, then applies the activity
// (follows, likes, remote objects, actor updates, blocks). Likes, which only
// write rows, are applied in the transaction that records them when they
// can be (batch_apply.go), else by the federation:inbox-batch job.
//
// Every refusal happens before anything is stored, and is logged with the
// sender's host, key id and the reason. What is stored is the activity row
// (unique by id, so a repeated delivery is a no-op); the queue only points
// at it, and SweepPending re-enqueues rows the queue lost.
package inbox

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/internal/ttlcache"
)

// DefaultBodyLimit is the largest activity accepted: 1 MiB.
const DefaultBodyLimit = 1 << 20

// Store is what the inbox reads and writes (implemented by *store.Store).
type Store interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)

	InsertActivity(ctx context.Context, a *app.Activity) (bool, error)
	InsertActivities(ctx context.Context, rows []*app.Activity) ([]bool, error)
	ActivityByID(ctx context.Context, id int64) (*app.Activity, error)
	ActivityByURI(ctx context.Context, uri string) (*app.Activity, error)
	SetActivityState(ctx context.Context, id int64, state, errText string, at time.Time) error
	ClaimActivity(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error)
	ReleaseActivity(ctx context.Context, id int64, attempts int, at time.Time) error
	SaveActivityAttempt(ctx context.Context, a *app.Activity) error
	DueActivities(ctx context.Context, dueBy time.Time, afterID int64, limit int) ([]app.Activity, error)
	ClaimActivities(ctx context.Context, ids []int64, dueBy, leaseUntil time.Time) ([]app.Activity, error)
	MarkActivitiesProcessed(ctx context.Context, ids []int64, at time.Time) error
	// TakeActivities claims the pending, due rows of ids by marking them
	// processed in the transaction ctx carries, and returns them.
	TakeActivities(ctx context.Context, ids []int64, dueBy, at time.Time) ([]app.Activity, error)

	RemoteObjectByURI(ctx context.Context, uri string) (*app.RemoteObject, error)
	UpsertRemoteObject(ctx context.Context, o *app.RemoteObject) error
	MarkRemoteObjectDeleted(ctx context.Context, uri string, at time.Time) (bool, error)

	RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error)
	UpsertRemoteActor(ctx context.Context, a *app.RemoteActor) error
	MarkRemoteActorDeleted(ctx context.Context, uri string, at time.Time) error
}

// Verifier checks HTTP signatures (implemented by *httpsig.Verifier).
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) (*httpsig.Result, error)
}

// Remote dereferences remote actors and objects (implemented by
// *dereference.Fetcher).
type Remote interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
	Object(ctx context.Context, uri string) (*app.RemoteObject, error)
}

// Moderation decides whom we hear (implemented by *moderation.Service).
type Moderation interface {
	Rejects(ctx context.Context, host string) (bool, error)
	ActorBlocked(ctx context.Context, actorURI string) (bool, error)
	Allows(ctx context.Context, host, actorURI string) (bool, error)
	// AllowsAll answers Allows for many senders at once.
	AllowsAll(ctx context.Context, senders []moderation.Sender) (map[moderation.Sender]bool, error)
}

// Queue hands received activities to the background worker (implemented
// by jobs.FederationQueue).
type Queue interface {
	EnqueueInbox(ctx context.Context, activityID int64) error
	// EnqueueInboxAttempt asks for attempt number attempt at processing a
	// received activity to run at `at` (now when zero).
	EnqueueInboxAttempt(ctx context.Context, activityID int64, attempt int, at time.Time) error
	// EnqueueInboxBatch asks for the first processing of the received
	// activities ids, now, as one task (see ProcessBatch).
	EnqueueInboxBatch(ctx context.Context, ids []int64) error
}

// Deps are the inbox's dependencies and settings.
type Deps struct {
	Store Store
	// Tx runs a batch's Likes in one transaction (see ProcessBatch); nil
	// applies them one by one.
	Tx         app.Transactor
	Verifier   Verifier
	Remote     Remote
	Moderation Moderation
	Queue      Queue
	// Follows, Likes and Blocks are the use cases activities are handed to.
	Follows Follows
	Likes   Likes
	Blocks  Blocks
	// Things, when set, is told of Deletes of remote things, whose
	// flattrs and counts are kept.
	Things Things
	URLs   federation.URLs
	// BodyLimit is the largest body accepted, in bytes; 0 means
	// DefaultBodyLimit.
	BodyLimit int64
	// Writers is how many batches of received activities are written at
	// once; 0 means 1. More than one pays on a database with concurrent
	// writers (PostgreSQL), where a batch then need not wait for the
	// previous one's commit; SQLite takes one writer at a time.
	Writers int
	// DeferFlattrs leaves received flattrs (weighted Likes) to the
	// workers instead of applying them as they are stored (cheers and
	// reactions still are): for a web process that runs no worker, whose
	// requests are then answered after a plain INSERT while the flattrs'
	// transactions run in the worker processes.
	DeferFlattrs bool
	// RateLimit is how many verified requests per second one remote host
	// (the host of the signing key) may send, and how many unsigned or
	// unverified ones one client address may; 0 turns the limits off.
	RateLimit float64
	// RateBurst is how many requests a host may send at once; 0 means
	// twice RateLimit (at least 1).
	RateBurst int
	// ModerationCacheTTL is how long the HTTP side reuses a moderation
	// answer; 0 means DefaultModerationCacheTTL, negative caches nothing.
	ModerationCacheTTL time.Duration
	Logger             *slog.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
	// Reachable, when set, is told the host of every verified request: a
	// server that sends to us is up again (delivery.Deliverer.MarkReachable).
	Reachable func(ctx context.Context, host string) error
	// Attempts is how many attempts a received activity gets when applying
	// it fails for a reason of ours; 0 means DefaultAttempts.
	Attempts int
	// Backoff is the wait after the n-th failed attempt; nil means
	// DefaultBackoff.
	Backoff func(n int) time.Duration
	// Created, when set, is told of every object a Create stored
	// (app/blogs: a connected blog's posts become things).
	Created Created
	// Settlements, when set, read statements, their answers and
	// settlements between instance actors.
	Settlements Settlements
}

// Inbox receives and processes activities.
type Inbox struct {
	store      Store
	tx         app.Transactor
	verifier   Verifier
	remote     Remote
	moderation Moderation
	screen     *moderationCache // moderation for the HTTP side
	queue      Queue
	follows    Follows
	likes      Likes
	things     Things
	blocks     Blocks
	urls       federation.URLs
	bodyLimit  int64
	limiter    *hostLimiter // verified requests, per signing host
	addrs      *hostLimiter // unsigned and unverified requests, per client address
	log        *slog.Logger
	now        func() time.Time
	users      *ttlcache.Cache[struct{}] // local users known to exist
	batch      *batchWriter
	// deferFlattrs: see Deps.DeferFlattrs.
	deferFlattrs bool
	reachable    func(ctx context.Context, host string) error
	handlers     map[string]handler
	retries      retryPolicy
	created      Created
	settlements  Settlements
}

// New returns an Inbox with d's defaults filled in.
func New(d Deps) *Inbox {
	in := &Inbox{
		store: d.Store, tx: d.Tx, verifier: d.Verifier, remote: d.Remote, moderation: d.Moderation,
		queue: d.Queue, follows: d.Follows, likes: d.Likes, things: d.Things, blocks: d.Blocks, urls: d.URLs,
		bodyLimit: d.BodyLimit, log: d.Logger, now: d.Now,
	}
	if in.bodyLimit <= 0 {
		in.bodyLimit = DefaultBodyLimit
	}
	if in.log == nil {
		in.log = slog.New(slog.DiscardHandler)
	}
	if in.now == nil {
		in.now = time.Now
	}
	ttl := d.ModerationCacheTTL
	if ttl == 0 {
		ttl = DefaultModerationCacheTTL
	}
	in.screen = newModerationCache(d.Moderation, ttl, in.now)
	if d.RateLimit > 0 {
		in.limiter = newHostLimiter(d.RateLimit, d.RateBurst, maxLimitedHosts)
		in.addrs = newHostLimiter(d.RateLimit, d.RateBurst, maxLimitedHosts)
	}
	in.handlers = in.handlerTable()
	in.batch = newBatchWriter(d.Store, d.Queue, d.Writers, in.log)
	if in.tx != nil {
		in.batch.apply = in.storeApplied
	}
	in.reachable = d.Reachable
	in.deferFlattrs = d.DeferFlattrs
	in.retries = newRetryPolicy(d.Attempts, d.Backoff)
	in.users = ttlcache.New[struct{}](userCacheTTL, in.now)
	in.created = d.Created
	in.settlements = d.Settlements
	return in
}
