package httpsig

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// envRedisURL names a real Redis server for the tests; when set, a test that
// cannot reach it fails.
const envRedisURL = "PLAUDIT_TEST_REDIS_URL"

// replayCacheUnderTest is a cache and a way to move its clock forward.
type replayCacheUnderTest struct {
	cache   ReplayCache
	advance func(time.Duration)
}

func TestReplayCaches(t *testing.T) {
	makers := map[string]func(t *testing.T) replayCacheUnderTest{
		"memory": func(t *testing.T) replayCacheUnderTest {
			now := testNow
			var mu sync.Mutex
			c := NewMemoryReplayCache(MemoryReplayOptions{Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
			return replayCacheUnderTest{cache: c, advance: func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }}
		},
		"miniredis": func(t *testing.T) replayCacheUnderTest {
			m := miniredis.RunT(t)
			client := redis.NewClient(&redis.Options{Addr: m.Addr()})
			t.Cleanup(func() { _ = client.Close() })
			return replayCacheUnderTest{cache: NewRedisReplayCache(client, randomPrefix(t)), advance: m.FastForward}
		},
	}
	if url := os.Getenv(envRedisURL); url != "" {
		makers["redis"] = func(t *testing.T) replayCacheUnderTest {
			client, prefix := realRedis(t, url), randomPrefix(t)
			t.Cleanup(func() { deleteKeys(t, client, prefix) })
			return replayCacheUnderTest{cache: NewRedisReplayCache(client, prefix), advance: func(d time.Duration) { time.Sleep(d) }}
		}
	}
	for name, mk := range makers {
		t.Run(name, func(t *testing.T) {
			t.Run("contract", func(t *testing.T) { testReplayContract(t, mk(t)) })
			t.Run("concurrent", func(t *testing.T) { testReplayConcurrent(t, mk(t)) })
		})
	}
}

func testReplayContract(t *testing.T, c replayCacheUnderTest) {
	ctx := context.Background()
	steps := []struct {
		name    string
		advance time.Duration
		key     string
		ttl     time.Duration
		want    bool
	}{
		{name: "first sighting", key: "a", ttl: 2 * time.Second, want: false},
		{name: "second sighting", key: "a", ttl: 2 * time.Second, want: true},
		{name: "other key", key: "b", ttl: 5 * time.Second, want: false},
		{name: "before expiry", advance: time.Second, key: "a", ttl: 2 * time.Second, want: true},
		{name: "after expiry", advance: 1500 * time.Millisecond, key: "a", ttl: 2 * time.Second, want: false},
		{name: "recorded again", key: "a", ttl: 2 * time.Second, want: true},
		{name: "longer ttl still held", key: "b", ttl: 5 * time.Second, want: true},
	}
	for _, s := range steps {
		if s.advance > 0 {
			c.advance(s.advance)
		}
		got, err := c.cache.Seen(ctx, s.key, s.ttl)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got != s.want {
			t.Errorf("%s: Seen(%q) = %v, want %v", s.name, s.key, got, s.want)
		}
	}
	if _, err := c.cache.Seen(ctx, "c", 0); err == nil {
		t.Error("Seen with ttl 0 succeeded")
	}
}

// testReplayConcurrent races goroutines on each key: exactly one may win.
func testReplayConcurrent(t *testing.T, c replayCacheUnderTest) {
	const keys, racers = 20, 8
	var fresh [keys]atomic.Int32
	var wg sync.WaitGroup
	for r := 0; r < racers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < keys; k++ {
				seen, err := c.cache.Seen(context.Background(), fmt.Sprint("k", k), time.Minute)
				if err != nil {
					t.Error(err)
					return
				}
				if !seen {
					fresh[k].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	for k := range fresh {
		if n := fresh[k].Load(); n != 1 {
			t.Errorf("key %d recorded as new %d times, want 1", k, n)
		}
	}
}

func TestMemoryReplayCacheBounded(t *testing.T) {
	now := testNow
	c := NewMemoryReplayCache(MemoryReplayOptions{MaxEntries: 3, Now: func() time.Time { return now }})
	ctx := context.Background()
	for _, k := range []string{"a", "b", "c", "d"} {
		if seen, _ := c.Seen(ctx, k, time.Hour); seen {
			t.Fatalf("%s seen before it was recorded", k)
		}
	}
	if got := c.Len(); got != 3 {
		t.Errorf("Len = %d, want 3", got)
	}
	// "a" was recorded first and dropped to make room; "d" is held.
	if seen, _ := c.Seen(ctx, "d", time.Hour); !seen {
		t.Error("newest key d forgotten")
	}
	if seen, _ := c.Seen(ctx, "a", time.Hour); seen {
		t.Error("oldest key a still held in a full cache")
	}
	// Expired entries are swept: after the TTL a long run of fresh keys
	// keeps the cache at its bound, and the order slice from growing.
	for i := 0; i < 1000; i++ {
		now = now.Add(2 * time.Hour)
		if seen, _ := c.Seen(ctx, fmt.Sprint("x", i), time.Hour); seen {
			t.Fatalf("x%d seen before it was recorded", i)
		}
	}
	if got := c.Len(); got != 1 {
		t.Errorf("Len after sweeping = %d, want 1", got)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.order) - c.head; n > 3 {
		t.Errorf("order holds %d entries for %d keys", n, len(c.expires))
	}
}

// TestRedisReplayCacheCommand checks the key and TTL written to Redis.
func TestRedisReplayCacheCommand(t *testing.T) {
	m := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: m.Addr()})
	t.Cleanup(func() { _ = client.Close() })
	c := NewRedisReplayCache(client, "")
	if _, err := c.Seen(context.Background(), "abc", 90*time.Minute+300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	key := DefaultRedisReplayPrefix + "abc"
	if got := m.TTL(key); got != 90*time.Minute+time.Second {
		t.Errorf("TTL = %s, want %s (rounded up to whole seconds)", got, 90*time.Minute+time.Second)
	}
	if v, err := m.Get(key); err != nil || v != "1" {
		t.Errorf("value = %q, %v; want \"1\"", v, err)
	}
}

// TestRedisReplayCacheDown checks that a dead Redis is an error, not a
// "not seen".
func TestRedisReplayCacheDown(t *testing.T) {
	m := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: m.Addr(), MaxRetries: -1})
	t.Cleanup(func() { _ = client.Close() })
	m.Close()
	if seen, err := NewRedisReplayCache(client, "").Seen(context.Background(), "k", time.Minute); err == nil {
		t.Fatalf("Seen = %v with Redis down, want an error", seen)
	}
}

func realRedis(t *testing.T, url string) redis.UniversalClient {
	t.Helper()
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("%s=%q: %v", envRedisURL, url, err)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		t.Fatalf("%s is set but Redis is not reachable: %v", envRedisURL, err)
	}
	return client
}

// deleteKeys removes the keys a test wrote to a shared Redis.
func deleteKeys(t *testing.T, client redis.UniversalClient, prefix string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
	for iter.Next(ctx) {
		if err := client.Del(ctx, iter.Val()).Err(); err != nil {
			t.Errorf("clean up %s: %v", iter.Val(), err)
		}
	}
	if err := iter.Err(); err != nil {
		t.Errorf("clean up %s*: %v", prefix, err)
	}
}

func randomPrefix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "test:httpsig:" + hex.EncodeToString(b) + ":"
}

// roundTrips counts the SET commands a Redis client sends: alone, and in
// pipelines (connection set-up commands aside).
type roundTrips struct{ single, pipelines, pipelined atomic.Int32 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "set" {
			h.single.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n := int32(0)
		for _, cmd := range cmds {
			if cmd.Name() == "set" {
				n++
			}
		}
		if n > 0 {
			h.pipelines.Add(1)
			h.pipelined.Add(n)
		}
		return next(ctx, cmds)
	}
}

// TestRedisReplayCachePipelines: concurrent calls share round trips, and
// each still gets its own answer: new keys unseen, repeated ones seen.
func TestRedisReplayCachePipelines(t *testing.T) {
	m := miniredis.RunT(t)
	client := redis.NewClient(&redis.Options{Addr: m.Addr(), PoolSize: 4})
	t.Cleanup(func() { _ = client.Close() })
	trips := &roundTrips{}
	client.AddHook(trips)
	c := NewRedisReplayCache(client, "")
	const callers, keys = 64, 20
	var wg sync.WaitGroup
	for g := range callers {
		wg.Go(func() {
			for k := range keys {
				key := fmt.Sprint(g, "/", k)
				for i, want := range []bool{false, true} {
					seen, err := c.Seen(context.Background(), key, time.Minute)
					if err != nil || seen != want {
						t.Errorf("Seen(%s) #%d = %v, %v; want %v", key, i+1, seen, err, want)
					}
				}
			}
		})
	}
	wg.Wait()
	calls := int32(callers * keys * 2)
	if sent := trips.single.Load() + trips.pipelined.Load(); sent != calls {
		t.Errorf("%d commands sent for %d calls", sent, calls)
	}
	if trips.pipelines.Load() == 0 || trips.single.Load()+trips.pipelines.Load() >= calls {
		t.Errorf("%d calls took %d round trips (%d pipelines): want fewer, shared", calls, trips.single.Load()+trips.pipelines.Load(), trips.pipelines.Load())
	}
	t.Logf("%d calls in %d single commands and %d pipelines", calls, trips.single.Load(), trips.pipelines.Load())
}
