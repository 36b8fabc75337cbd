package httpsig

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ReplayCache remembers keys for a while. Seen records key for ttl and
// reports whether it was already recorded (and not yet expired), in one
// atomic step, so that of two concurrent calls with one key exactly one
// sees false.
type ReplayCache interface {
	Seen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// DefaultReplayEntries bounds a MemoryReplayCache unless told otherwise.
const DefaultReplayEntries = 100_000

// MemoryReplayOptions configure a MemoryReplayCache.
type MemoryReplayOptions struct {
	// MaxEntries bounds the cache; when full, the entries recorded first are
	// dropped early. 0 means DefaultReplayEntries.
	MaxEntries int
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// MemoryReplayCache is a ReplayCache in this process's memory, for a single
// server process. It is safe for concurrent use.
type MemoryReplayCache struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	expires map[string]time.Time
	order   []replayEntry // in recording order; may hold stale entries
	head    int           // order[:head] are gone
}

type replayEntry struct {
	key     string
	expires time.Time
}

// NewMemoryReplayCache returns an empty MemoryReplayCache.
func NewMemoryReplayCache(opts MemoryReplayOptions) *MemoryReplayCache {
	c := &MemoryReplayCache{max: opts.MaxEntries, now: opts.Now, expires: map[string]time.Time{}}
	if c.max <= 0 {
		c.max = DefaultReplayEntries
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Seen implements ReplayCache.
func (c *MemoryReplayCache) Seen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errors.New("replay cache: ttl must be positive")
	}
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sweep(now)
	if exp, ok := c.expires[key]; ok && exp.After(now) {
		return true, nil
	}
	for len(c.expires) >= c.max && c.head < len(c.order) {
		c.dropOldest()
	}
	exp := now.Add(ttl)
	c.expires[key] = exp
	c.order = append(c.order, replayEntry{key: key, expires: exp})
	return false, nil
}

// Len is the number of entries held, expired ones not yet swept included.
func (c *MemoryReplayCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.expires)
}

// sweep drops expired entries from the front of the recording order. With
// one TTL for all keys, as the Verifier uses, that order is expiry order;
// an entry with a shorter TTL behind a longer one waits, but is already
// treated as absent by Seen.
func (c *MemoryReplayCache) sweep(now time.Time) {
	for c.head < len(c.order) && !c.order[c.head].expires.After(now) {
		c.dropOldest()
	}
	c.compact()
}

// dropOldest forgets the first entry of the recording order, unless its key
// was recorded again since.
func (c *MemoryReplayCache) dropOldest() {
	if c.head >= len(c.order) {
		return
	}
	e := c.order[c.head]
	c.order[c.head] = replayEntry{}
	c.head++
	if exp, ok := c.expires[e.key]; ok && exp.Equal(e.expires) {
		delete(c.expires, e.key)
	}
}

// compact reclaims the dropped front of the order slice, and rebuilds it
// when stale entries (keys recorded again) make it much longer than the map.
func (c *MemoryReplayCache) compact() {
	live := len(c.order) - c.head
	if c.head > 0 && c.head >= live {
		c.order = append(c.order[:0], c.order[c.head:]...)
		c.head = 0
	}
	if len(c.order)-c.head > 2*len(c.expires)+64 {
		kept := c.order[:0]
		for _, e := range c.order[c.head:] {
			if exp, ok := c.expires[e.key]; ok && exp.Equal(e.expires) {
				kept = append(kept, e)
			}
		}
		clear(c.order[len(kept):])
		c.order, c.head = kept, 0
	}
}
