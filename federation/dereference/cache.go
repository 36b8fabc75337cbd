package dereference

import (
	"crypto"
	"sync"
	"time"

	"github.com/plaudit/plaudit/federation/httpsig"
)

// maxCacheEntries bounds the in-memory caches; when full they are cleared,
// which only costs a few fetches or parses.
const maxCacheEntries = 10000

// ttlCache remembers values by key until a deadline.
type ttlCache[V any] struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	entries map[string]ttlEntry[V]
}

type ttlEntry[V any] struct {
	value V
	until time.Time
}

// newTTLCache returns a cache whose entries live ttl; with ttl <= 0 it
// remembers nothing.
func newTTLCache[V any](ttl time.Duration, now func() time.Time) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, now: now, entries: map[string]ttlEntry[V]{}}
}

// get returns the live value for key.
func (c *ttlCache[V]) get(key string) (V, bool) {
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
	if c.now().After(e.until) {
		delete(c.entries, key)
		return zero, false
	}
	return e.value, true
}

// put remembers value for key.
func (c *ttlCache[V]) put(key string, value V) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= maxCacheEntries {
		clear(c.entries)
	}
	c.entries[key] = ttlEntry[V]{value: value, until: c.now().Add(c.ttl)}
}

// forget drops what is remembered about key.
func (c *ttlCache[V]) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// pemCache keeps parsed public keys by their PEM text: parsing costs more
// than verifying a signature.
type pemCache struct {
	mu   sync.Mutex
	keys map[string]crypto.PublicKey
}

func newPEMCache() *pemCache { return &pemCache{keys: map[string]crypto.PublicKey{}} }

// parse returns the key in pemText, parsed once.
func (c *pemCache) parse(pemText string) (crypto.PublicKey, error) {
	c.mu.Lock()
	key, ok := c.keys[pemText]
	c.mu.Unlock()
	if ok {
		return key, nil
	}
	key, err := httpsig.ParsePublicKeyPEM(pemText)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxCacheEntries {
		clear(c.keys)
	}
	c.keys[pemText] = key
	return key, nil
}
