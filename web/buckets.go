package web

import (
	"container/list"
	"sync"
	"time"
)

// maxTrackedKeys bounds how many keys (client IPs, usernames) one bucket
// set remembers; the least recently seen is forgotten first and starts
// again with a full bucket, as federation/inbox's host limiter does.
const maxTrackedKeys = 10000

// buckets is a token bucket per key, in a bounded LRU. A bucket holds up
// to capacity tokens and refills steadily, completely over window.
type buckets struct {
	capacity float64
	perSec   float64
	max      int

	mu    sync.Mutex
	order *list.List // of *bucket, most recently used first
	items map[string]*list.Element
}

type bucket struct {
	key    string
	tokens float64
	at     time.Time // when tokens was last brought up to date
}

// newBuckets returns buckets of capacity tokens refilling over window, or
// nil (no limit) when capacity is 0.
func newBuckets(capacity int, window time.Duration, maxKeys int) *buckets {
	if capacity <= 0 || window <= 0 {
		return nil
	}
	return &buckets{
		capacity: float64(capacity), perSec: float64(capacity) / window.Seconds(), max: maxKeys,
		order: list.New(), items: map[string]*list.Element{},
	}
}

// take removes a token from key's bucket at now; when the bucket is empty
// it takes nothing and reports how long until a token is back.
func (b *buckets) take(key string, now time.Time) (bool, time.Duration) {
	if b == nil {
		return true, 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.get(key, now)
	if bk.tokens >= 1 {
		bk.tokens--
		return true, 0
	}
	wait := time.Duration((1 - bk.tokens) / b.perSec * float64(time.Second))
	return false, wait
}

// give puts back a token taken from key's bucket: the attempt it paid for
// did not count.
func (b *buckets) give(key string, now time.Time) {
	if b == nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	bk := b.get(key, now)
	bk.tokens = min(b.capacity, bk.tokens+1)
}

// get returns key's bucket refilled up to now, making it (and evicting the
// least recently used one when full) if needed. b.mu must be held.
func (b *buckets) get(key string, now time.Time) *bucket {
	if el, ok := b.items[key]; ok {
		b.order.MoveToFront(el)
		bk := el.Value.(*bucket)
		if elapsed := now.Sub(bk.at); elapsed > 0 {
			bk.tokens = min(b.capacity, bk.tokens+elapsed.Seconds()*b.perSec)
			bk.at = now
		}
		return bk
	}
	if b.order.Len() >= b.max {
		oldest := b.order.Back()
		b.order.Remove(oldest)
		delete(b.items, oldest.Value.(*bucket).key)
	}
	bk := &bucket{key: key, tokens: b.capacity, at: now}
	b.items[key] = b.order.PushFront(bk)
	return bk
}

// size is how many keys are tracked.
func (b *buckets) size() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.order.Len()
}
