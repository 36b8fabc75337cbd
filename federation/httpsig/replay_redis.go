package httpsig

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisReplayPrefix starts the keys a RedisReplayCache writes unless
// told otherwise.
const DefaultRedisReplayPrefix = "plaudit:httpsig:replay:"

// RedisReplayCache is a ReplayCache in Redis, shared by all the server's
// processes. Each key is one "SET prefix+key 1 NX EX ttl": atomic, and
// expired by Redis itself.
type RedisReplayCache struct {
	client redis.UniversalClient
	prefix string
}

// NewRedisReplayCache returns a RedisReplayCache writing keys that start with
// prefix ("" means DefaultRedisReplayPrefix).
func NewRedisReplayCache(client redis.UniversalClient, prefix string) *RedisReplayCache {
	if prefix == "" {
		prefix = DefaultRedisReplayPrefix
	}
	return &RedisReplayCache{client: client, prefix: prefix}
}

// Seen implements ReplayCache. The TTL is rounded up to whole seconds.
func (c *RedisReplayCache) Seen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, errors.New("replay cache: ttl must be positive")
	}
	ttl = (ttl + time.Second - 1).Truncate(time.Second) // whole seconds: SET … EX
	set, err := c.client.SetNX(ctx, c.prefix+key, 1, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("replay cache: set %s: %w", c.prefix+key, err)
	}
	return !set, nil
}
