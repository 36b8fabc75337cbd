package inbox

import (
	"context"
	"sync"
	"time"
)

// userCacheTTL is how long the inbox remembers that a local user exists,
// sparing a database read on every POST to a personal inbox.
const userCacheTTL = 30 * time.Second

// userCache remembers local usernames that exist. Only hits are kept: an
// unknown name is asked about every time.
type userCache struct {
	mu      sync.Mutex
	expires map[string]time.Time
}

func (c *userCache) known(name string, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	exp, ok := c.expires[name]
	return ok && now.Before(exp)
}

func (c *userCache) remember(name string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expires == nil || len(c.expires) > 10000 {
		c.expires = map[string]time.Time{}
	}
	c.expires[name] = now.Add(userCacheTTL)
}

// userExists tells whether the local user name exists, from the cache when
// it can.
func (in *Inbox) userExists(ctx context.Context, name string) error {
	now := in.now()
	if in.users.known(name, now) {
		return nil
	}
	if _, err := in.store.UserByUsername(ctx, name); err != nil {
		return err
	}
	in.users.remember(name, now)
	return nil
}
