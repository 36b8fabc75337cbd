package dereference

import (
	"crypto"
	"sync"

	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/internal/ttlcache"
)

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
	if len(c.keys) >= ttlcache.MaxEntries {
		clear(c.keys)
	}
	c.keys[pemText] = key
	return key, nil
}
