package delivery

import (
	"sync"
	"time"
)

// hostLimiter bounds concurrent requests per host with a counter per
// host, created on demand and dropped when its last slot is freed. Nobody
// waits for a slot: a delivery that finds its host full is put back on
// the queue for a little later, so that its worker is free for other work.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]int // slots in use
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: map[string]int{}}
}

// tryAcquire takes a slot of host if one is free. The returned function
// frees it; ok is false, and nothing is taken, when the host is full.
func (l *hostLimiter) tryAcquire(host string) (release func(), ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hosts[host] >= l.limit {
		return nil, false
	}
	l.hosts[host]++
	var once sync.Once
	return func() { once.Do(func() { l.leave(host) }) }, true
}

func (l *hostLimiter) leave(host string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hosts[host]--; l.hosts[host] <= 0 {
		delete(l.hosts, host)
	}
}

// recentSet remembers keys for a while, so that a frequent write (marking
// a host reachable on every inbound activity) is done once per ttl.
type recentSet struct {
	ttl time.Duration
	max int
	mu  sync.Mutex
	at  map[string]time.Time
}

func newRecentSet(ttl time.Duration, max int) *recentSet {
	return &recentSet{ttl: ttl, max: max, at: map[string]time.Time{}}
}

// recent tells whether key was added less than ttl before now.
func (r *recentSet) recent(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.at[key]
	return ok && now.Sub(t) < r.ttl
}

func (r *recentSet) add(key string, now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.at) >= r.max {
		clear(r.at)
	}
	r.at[key] = now
}

func (r *recentSet) forget(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.at, key)
}
