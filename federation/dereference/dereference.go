// Package dereference fetches remote actors, their public keys and their
// objects over signed GETs, checks that each document speaks for the URL it
// came from, and keeps a copy in the store with a refresh policy.
//
// An actor is served from the store while its copy is younger than MaxAge
// and fetched anew otherwise, or when the caller asks for a refresh (the
// signature verifier does, once, when a cached key fails: the sender may have
// rotated it). A 404 or 410 marks the copy deleted and reports
// app.ENOTFOUND. A fetch that fails for another reason falls back to a
// stale copy unless a refresh was asked for.
//
// The Fetcher implements httpsig.KeyResolver: a keyId such as
// "https://host/users/a#main-key" (Mastodon) or "https://host/users/a/main-key"
// (GoToSocial) is looked up among stored actors and otherwise fetched; the
// key's owner must be an actor on the key's host whose publicKey lists that
// very keyId. Keys of local actors are read from the database, never over
// HTTP.
package dereference

import (
	"context"
	"log/slog"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/internal/ttlcache"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/transport"
)

// DefaultMaxAge is how long a fetched actor or object is used before it is
// fetched again.
const DefaultMaxAge = 24 * time.Hour

// DefaultNegativeTTL is how long a failed key fetch is remembered, so that
// a flood of requests naming an unreachable or deleted key costs one fetch.
const DefaultNegativeTTL = time.Minute

// DefaultKeyCacheTTL is how long a resolved key is kept in memory. A key
// that changed meanwhile fails to verify and is then refreshed from the
// store or the network, so this only delays noticing a deleted actor.
const DefaultKeyCacheTTL = time.Minute

// Store is what the Fetcher reads and writes (implemented by *store.Store).
type Store interface {
	RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error)
	RemoteActorByKeyID(ctx context.Context, keyID string) (*app.RemoteActor, error)
	UpsertRemoteActor(ctx context.Context, a *app.RemoteActor) error
	MarkRemoteActorDeleted(ctx context.Context, uri string, at time.Time) error
	RemoteObjectByURI(ctx context.Context, uri string) (*app.RemoteObject, error)
	UpsertRemoteObject(ctx context.Context, o *app.RemoteObject) error
	MarkRemoteObjectDeleted(ctx context.Context, uri string, at time.Time) (bool, error)
	UserByUsername(ctx context.Context, username string) (*app.User, error)
}

// Deps are the Fetcher's dependencies and settings.
type Deps struct {
	Store Store
	// Keys gives the instance actor's key, for keyIds of this instance.
	Keys *keys.Keyring
	// Client fetches documents. Build it with Signer: NewInstanceSigner(Keys)
	// so that servers in "authorized fetch" mode answer.
	Client *transport.Client
	URLs   federation.URLs
	// MaxAge is how long a stored copy is fresh; 0 means DefaultMaxAge.
	MaxAge time.Duration
	// NegativeTTL is how long a failed key fetch is remembered; 0 means
	// DefaultNegativeTTL, negative remembers nothing.
	NegativeTTL time.Duration
	// KeyCacheTTL is how long a resolved key is kept in memory, sparing a
	// database read per signed request; 0 means DefaultKeyCacheTTL,
	// negative keeps none.
	KeyCacheTTL time.Duration
	// KeyFetches bounds how many signing keys are fetched at once while
	// verifying requests; 0 means DefaultKeyFetches. Past it a request
	// naming an unknown key is answered 503 rather than fetched, so that a
	// flood of requests naming unknown keys cannot make unbounded
	// outbound fetches.
	KeyFetches int
	Logger     *slog.Logger
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// DefaultKeyFetches is how many key fetches run at once by default.
const DefaultKeyFetches = 16

// Fetcher dereferences remote actors, keys and objects. It is safe for
// concurrent use.
type Fetcher struct {
	store    Store
	keys     *keys.Keyring
	client   *transport.Client
	urls     federation.URLs
	maxAge   time.Duration
	log      *slog.Logger
	now      func() time.Time
	negative *ttlcache.Cache[error]
	known    *ttlcache.Cache[*httpsig.PublicKey]
	parsed   *pemCache
	fetching chan struct{} // one slot per key fetch under way
}

// New returns a Fetcher with d's defaults filled in.
func New(d Deps) *Fetcher {
	f := &Fetcher{
		store: d.Store, keys: d.Keys, client: d.Client, urls: d.URLs,
		maxAge: d.MaxAge, log: d.Logger, now: d.Now,
	}
	if f.maxAge <= 0 {
		f.maxAge = DefaultMaxAge
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	if f.now == nil {
		f.now = time.Now
	}
	ttl := d.NegativeTTL
	if ttl == 0 {
		ttl = DefaultNegativeTTL
	}
	f.negative = ttlcache.New[error](ttl, f.now)
	keyTTL := d.KeyCacheTTL
	if keyTTL == 0 {
		keyTTL = DefaultKeyCacheTTL
	}
	f.known = ttlcache.New[*httpsig.PublicKey](keyTTL, f.now)
	f.parsed = newPEMCache()
	n := d.KeyFetches
	if n <= 0 {
		n = DefaultKeyFetches
	}
	f.fetching = make(chan struct{}, n)
	return f
}

// fresh tells whether a copy fetched at t is still young enough.
func (f *Fetcher) fresh(t time.Time) bool {
	return f.now().Sub(t) < f.maxAge
}
