package inbox

import (
	"context"
	"net/http"
	"time"

	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/internal/ttlcache"
)

// DefaultModerationCacheTTL is how long the HTTP side reuses an answer of
// Moderation. A block takes effect on new requests within that time, and
// at once on processing: Process asks Moderation again, uncached.
const DefaultModerationCacheTTL = 5 * time.Second

// screenHost refuses a request whose signing key is on a rejected host.
// It runs before verifying, so that no key is fetched from such a host.
func (in *Inbox) screenHost(ctx context.Context, host string) *refusal {
	if host == "" {
		return nil
	}
	rejected, err := in.screen.Rejects(ctx, host)
	if err != nil {
		return refuse(http.StatusInternalServerError, err, "internal error")
	}
	if rejected {
		return refuse(http.StatusForbidden, nil, "%s is blocked here", host)
	}
	return nil
}

// moderate refuses blocked actors. The key resolver only accepts keys on
// their owner's host, so the actor's host is normally the key's, whose
// domain block was checked before verifying: then only the actor block is
// left to ask about.
func (in *Inbox) moderate(ctx context.Context, actor, keyHost string) *refusal {
	var (
		allowed bool
		err     error
	)
	if actorHost := dereference.HostOf(actor); actorHost == keyHost {
		var blocked bool
		blocked, err = in.screen.ActorBlocked(ctx, actor)
		allowed = !blocked
	} else {
		allowed, err = in.moderation.Allows(ctx, actorHost, actor)
	}
	if err != nil {
		return refuse(http.StatusInternalServerError, err, "internal error")
	}
	if !allowed {
		return refuse(http.StatusForbidden, nil, "%s is blocked here", actor)
	}
	return nil
}

// moderationCache remembers Moderation's answers for the HTTP side, which
// would otherwise ask the database twice for every request.
type moderationCache struct {
	mod     screening
	answers *ttlcache.Cache[bool] // ttl <= 0: always ask
}

// screening is the part of Moderation the HTTP side caches.
type screening interface {
	Rejects(ctx context.Context, host string) (bool, error)
	ActorBlocked(ctx context.Context, actorURI string) (bool, error)
}

func newModerationCache(mod screening, ttl time.Duration, now func() time.Time) *moderationCache {
	return &moderationCache{mod: mod, answers: ttlcache.New[bool](ttl, now)}
}

// Rejects is Moderation.Rejects, cached.
func (c *moderationCache) Rejects(ctx context.Context, host string) (bool, error) {
	return c.cached("host "+host, func() (bool, error) { return c.mod.Rejects(ctx, host) })
}

// ActorBlocked is Moderation.ActorBlocked, cached.
func (c *moderationCache) ActorBlocked(ctx context.Context, actorURI string) (bool, error) {
	return c.cached("actor "+actorURI, func() (bool, error) { return c.mod.ActorBlocked(ctx, actorURI) })
}

func (c *moderationCache) cached(key string, ask func() (bool, error)) (bool, error) {
	if yes, ok := c.answers.Get(key); ok {
		return yes, nil
	}
	yes, err := ask()
	if err != nil {
		return false, err
	}
	c.answers.Put(key, yes)
	return yes, nil
}
