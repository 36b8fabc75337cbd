// Package ttlcache is a small in-memory map whose entries expire. The
// federation packages use it to spare database reads and fetches on hot
// paths (keys, moderation answers, local users); each process keeps its own.
package ttlcache

import (
	"sync"
	"time"
)

// MaxEntries bounds a cache; when full it is cleared, which costs only a
// few reads or fetches.
const MaxEntries = 10000

// Cache remembers values by key until their deadline. It is safe for
// concurrent use.
type Cache[V any] struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]entry[V]
}

type entry[V any] struct {
	value V
	until time.Time
}

// New returns a cache whose entries live ttl, on the clock now (time.Now
// when nil); with ttl <= 0 it remembers nothing.
func New[V any](ttl time.Duration, now func() time.Time) *Cache[V] {
	if now == nil {
		now = time.Now
	}
	return &Cache[V]{ttl: ttl, now: now, entries: map[string]entry[V]{}}
}

// Get returns the live value for key.
func (c *Cache[V]) Get(key string) (V, bool) {
	var zero V
	if c.ttl <= 0 {
		return zero, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok {
		return zero, false
	}
	if !c.now().Before(e.until) { // an entry lives ttl, not a moment more
		delete(c.entries, key)
		return zero, false
	}
	return e.value, true
}

// Put remembers value for key.
func (c *Cache[V]) Put(key string, value V) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= MaxEntries {
		clear(c.entries)
	}
	c.entries[key] = entry[V]{value: value, until: c.now().Add(c.ttl)}
}

// Forget drops what is remembered about key.
func (c *Cache[V]) Forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}
