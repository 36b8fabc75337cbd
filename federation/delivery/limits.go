package delivery

import (
	"context"
	"sync"
	"time"
)

// hostLimiter bounds concurrent requests per host with one semaphore per
// host, created on demand and dropped when nobody holds or waits for it.
type hostLimiter struct {
	limit int
	mu    sync.Mutex
	hosts map[string]*hostSlots
}

type hostSlots struct {
	sem   chan struct{}
	users int // holders and waiters
}

func newHostLimiter(limit int) *hostLimiter {
	return &hostLimiter{limit: limit, hosts: map[string]*hostSlots{}}
}

// acquire waits for a slot of host, or for ctx to end. The returned
// function frees the slot.
func (l *hostLimiter) acquire(ctx context.Context, host string) (func(), error) {
	l.mu.Lock()
	s := l.hosts[host]
	if s == nil {
		s = &hostSlots{sem: make(chan struct{}, l.limit)}
		l.hosts[host] = s
	}
	s.users++
	l.mu.Unlock()
	select {
	case s.sem <- struct{}{}:
		return func() { <-s.sem; l.leave(host, s) }, nil
	case <-ctx.Done():
		l.leave(host, s)
		return nil, ctx.Err()
	}
}

func (l *hostLimiter) leave(host string, s *hostSlots) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s.users--; s.users == 0 {
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
