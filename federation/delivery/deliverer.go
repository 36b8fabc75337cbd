// Package delivery POSTs published activities to remote inboxes: one
// delivery row (activity, inbox) per attempt chain, signed by the actor
// that published the activity, retried with backoff, dead-lettered when
// retries run out, skipped for blocked or unreachable hosts, and never
// more than a few requests at a time to one host.
//
// The database row is the record; the queue only says "look at row N
// now". Deliver is idempotent, and SweepDue puts every pending row whose
// time has come back on the queue, so a lost queue loses nothing.
package delivery

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/transport"
)

// Defaults applied by New to zero Deps fields.
const (
	// DefaultAttempts is how many times a delivery is tried: with
	// DefaultBackoff the 16 waits add up to about 2.8 days (3.1 at most
	// with jitter), as long as Mastodon keeps trying.
	DefaultAttempts = 17
	// DefaultHostConcurrency is how many deliveries to one host run at
	// once in one process.
	DefaultHostConcurrency = 4
	// DefaultUnreachableAfter is how long a host must fail, with no
	// success in between, to be marked unreachable.
	DefaultUnreachableAfter = 3 * 24 * time.Hour
	// DefaultSweepBatch is how many due deliveries SweepDue reads at once.
	DefaultSweepBatch = 500
)

// Timing of claims. A claimed delivery is not due again for lease, which
// outlasts any attempt (the transport's timeout is seconds, the task's a
// minute). A task may run up to earlyBy before its row is due: asynq
// schedules in whole seconds.
const (
	lease   = 5 * time.Minute
	earlyBy = 5 * time.Second
)

// DefaultBackoff is the wait after the n-th failed attempt (n ≥ 1):
// n⁴ + 15 seconds, as Mastodon waits, plus up to 10% random jitter so that
// deliveries failing together do not retry together. From 16 s after the
// first attempt to 18.2 h after the 16th.
func DefaultBackoff(n int) time.Duration {
	base := time.Duration(n*n*n*n+15) * time.Second
	return base + time.Duration(rand.Int64N(int64(base/10)+1))
}

// Store is what the deliverer reads and writes (implemented by
// app/store.Store).
type Store interface {
	DeliveryByID(ctx context.Context, id int64) (*app.Delivery, error)
	ActivityByID(ctx context.Context, id int64) (*app.Activity, error)
	ClaimDelivery(ctx context.Context, id int64, attempts int, dueBy, leaseUntil time.Time) (bool, error)
	ReleaseDelivery(ctx context.Context, id int64, attempts int, at time.Time) error
	SaveDeliveryAttempt(ctx context.Context, d *app.Delivery) error
	SkipDelivery(ctx context.Context, id int64, reason string, now time.Time) (bool, error)
	DueDeliveries(ctx context.Context, now time.Time, afterID int64, limit int) ([]app.Delivery, error)
	DeliveriesByState(ctx context.Context, state string, limit int) ([]app.Delivery, error)
	RetryDelivery(ctx context.Context, id int64, now time.Time) (*app.Delivery, error)
	EndInboxDeliveries(ctx context.Context, inbox, reason string, now time.Time) (int64, error)
	RemoteActorsByInbox(ctx context.Context, inbox string) ([]app.RemoteActor, error)
	MarkRemoteActorDeleted(ctx context.Context, uri string, at time.Time) error
	RemoteHostByName(ctx context.Context, host string) (*app.RemoteHost, error)
	RecordHostSuccess(ctx context.Context, host string, now time.Time) error
	RecordHostFailure(ctx context.Context, host string, now time.Time) (*app.RemoteHost, error)
	MarkHostUnreachable(ctx context.Context, host string, now time.Time) (bool, error)
	SkipHostDeliveries(ctx context.Context, host, reason string, now time.Time) (int64, error)
	MarkHostReachable(ctx context.Context, host string, now time.Time) (bool, error)
}

// Signers gives the signer of a local actor (implemented by keys.Keyring).
type Signers interface {
	SignerFor(ctx context.Context, actorURI string) (*httpsig.Signer, error)
}

// DomainPolicy tells whether deliveries to a host are refused
// (implemented by moderation.Service).
type DomainPolicy interface {
	Rejects(ctx context.Context, host string) (bool, error)
}

// Deps are what a Deliverer needs. Zero numbers take the Default* values;
// Moderation, Now and Logger are optional.
type Deps struct {
	// Tx makes the writes about a failing host one transaction.
	Tx     app.Transactor
	Store  Store
	Keys   Signers
	Client *transport.Client // shared by all deliveries; each signs with its actor's key
	Queue  federation.Queue
	// Moderation, when set, skips deliveries to rejected domains.
	Moderation DomainPolicy
	// HostConcurrency bounds concurrent requests to one host in this process.
	HostConcurrency int
	// Attempts is how many attempts a delivery gets before it is dead.
	Attempts int
	// Backoff is the wait after the n-th failed attempt; nil means DefaultBackoff.
	Backoff func(n int) time.Duration
	// UnreachableAfter is how long a host fails without success before it
	// is marked unreachable.
	UnreachableAfter time.Duration
	// SweepBatch is how many due rows SweepDue reads per query.
	SweepBatch int
	Now        func() time.Time
	Logger     *slog.Logger
}

// Deliverer sends deliveries.
type Deliverer struct {
	deps      Deps
	log       *slog.Logger
	hosts     *hostLimiter
	reachable *recentSet
}

// New returns a Deliverer.
func New(deps Deps) *Deliverer {
	if deps.HostConcurrency <= 0 {
		deps.HostConcurrency = DefaultHostConcurrency
	}
	if deps.Attempts <= 0 {
		deps.Attempts = DefaultAttempts
	}
	if deps.Backoff == nil {
		deps.Backoff = DefaultBackoff
	}
	if deps.UnreachableAfter <= 0 {
		deps.UnreachableAfter = DefaultUnreachableAfter
	}
	if deps.SweepBatch <= 0 {
		deps.SweepBatch = DefaultSweepBatch
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{
		deps: deps, log: log,
		hosts:     newHostLimiter(deps.HostConcurrency),
		reachable: newRecentSet(time.Minute, 10_000),
	}
}

// now is the time in UTC to the microsecond, the precision PostgreSQL
// keeps, so that what is stored and what is queued agree.
func (d *Deliverer) now() time.Time { return d.deps.Now().UTC().Truncate(time.Microsecond) }
