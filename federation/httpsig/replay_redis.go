package httpsig

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRedisReplayPrefix starts the keys a RedisReplayCache writes unless
// told otherwise.
const DefaultRedisReplayPrefix = "plaudit:httpsig:replay:"

// maxReplayPipeline bounds how many keys go to Redis in one round trip.
const maxReplayPipeline = 256

// RedisReplayCache is a ReplayCache in Redis, shared by all the server's
// processes. Each key is one "SET prefix+key 1 NX EX ttl": atomic, and
// expired by Redis itself. Calls made while another is waiting for Redis
// are sent together, in one pipeline, when it is back: a busy inbox makes
// one round trip for many requests, an idle one adds no delay.
type RedisReplayCache struct {
	client redis.UniversalClient
	prefix string

	mu      sync.Mutex
	waiting []*seenCall // calls for the next round trip
	busy    bool        // a caller is sending a round trip
}

// seenCall is one Seen waiting for its answer. done says once that the
// answer is in (false) or that the caller is to send the next round trip
// itself (true).
type seenCall struct {
	key  string
	ttl  time.Duration
	done chan bool
	seen bool
	err  error
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
	call := &seenCall{
		key: c.prefix + key, ttl: (ttl + time.Second - 1).Truncate(time.Second), // whole seconds: SET … EX
		done: make(chan bool, 1),
	}
	c.mu.Lock()
	c.waiting = append(c.waiting, call)
	lead := !c.busy
	c.busy = true
	c.mu.Unlock()
	if !lead {
		// Not abandoned when ctx ends: the call may be handed the lead.
		if lead := <-call.done; !lead {
			return call.seen, call.err
		}
	}
	c.send(ctx)
	return call.seen, call.err
}

// send makes one round trip for the calls waiting, the sender's among
// them, then hands the lead to the first call that came in meanwhile, or
// marks the cache idle.
func (c *RedisReplayCache) send(ctx context.Context) {
	c.mu.Lock()
	n := min(len(c.waiting), maxReplayPipeline)
	calls := c.waiting[:n:n]
	c.waiting = c.waiting[n:]
	c.mu.Unlock()

	// The round trip answers other requests too: not cut short by this
	// one's end.
	c.setNX(context.WithoutCancel(ctx), calls)
	for _, call := range calls {
		call.done <- false // buffered: never blocks, also for the sender's own
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiting) == 0 {
		c.busy = false
		c.waiting = nil
		return
	}
	c.waiting[0].done <- true
}

// setNX records the calls' keys in one pipeline and fills in their answers.
func (c *RedisReplayCache) setNX(ctx context.Context, calls []*seenCall) {
	if len(calls) == 1 {
		call := calls[0]
		set, err := c.client.SetNX(ctx, call.key, 1, call.ttl).Result()
		call.seen, call.err = !set, wrapSetErr(call.key, err)
		return
	}
	cmds := make([]*redis.BoolCmd, len(calls))
	_, _ = c.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, call := range calls {
			cmds[i] = p.SetNX(ctx, call.key, 1, call.ttl)
		}
		return nil
	})
	for i, call := range calls {
		set, err := cmds[i].Result()
		call.seen, call.err = !set, wrapSetErr(call.key, err)
	}
}

func wrapSetErr(key string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("replay cache: set %s: %w", key, err)
}
