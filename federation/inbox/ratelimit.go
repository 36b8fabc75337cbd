package inbox

import (
	"container/list"
	"math"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// maxLimitedHosts bounds how many hosts' limiters are kept; the least
// recently seen host is forgotten first (and starts again with a full
// bucket, which is the generous side to err on).
const maxLimitedHosts = 10000

// limitAddress refuses a client address that has used up its allowance of
// unsigned and unverified requests, before the body is read. An unsigned
// request takes a token at once; a signed one only checks, since its
// address pays only if the signature then fails (chargeAddress).
func (in *Inbox) limitAddress(addr string, unsigned bool) *refusal {
	if in.addrs == nil || addr == "" {
		return nil
	}
	now := in.now()
	ok, wait := in.addrs.peek(addr, now)
	if ok && unsigned {
		ok, wait = in.addrs.allow(addr, now)
	}
	if ok {
		return nil
	}
	r := refuse(http.StatusTooManyRequests, nil, "too many unsigned or unverified requests from %s", addr)
	r.retry = max(wait, time.Second)
	return r
}

// chargeAddress takes a token from addr for a request whose signature
// failed.
func (in *Inbox) chargeAddress(addr string) {
	if in.addrs != nil && addr != "" {
		in.addrs.allow(addr, in.now())
	}
}

// rateLimit takes a token from host's bucket: only verified requests are
// charged to the host that signed them.
func (in *Inbox) rateLimit(host string) *refusal {
	if in.limiter == nil || host == "" {
		return nil
	}
	ok, wait := in.limiter.allow(host, in.now())
	if ok {
		return nil
	}
	r := refuse(http.StatusTooManyRequests, nil, "too many requests from %s", host)
	r.retry = max(wait, time.Second)
	return r
}

// hostLimiter is a token bucket per remote host, in a bounded LRU.
type hostLimiter struct {
	limit rate.Limit
	burst int
	max   int

	mu    sync.Mutex
	order *list.List // of *hostBucket, most recently used first
	hosts map[string]*list.Element
}

type hostBucket struct {
	host string
	lim  *rate.Limiter
}

func newHostLimiter(perSecond float64, burst, maxHosts int) *hostLimiter {
	if burst <= 0 {
		burst = max(1, int(math.Ceil(2*perSecond)))
	}
	return &hostLimiter{
		limit: rate.Limit(perSecond), burst: burst, max: maxHosts,
		order: list.New(), hosts: map[string]*list.Element{},
	}
}

// allow takes a token for host at now; when there is none it reports how
// long until there will be.
func (h *hostLimiter) allow(host string, now time.Time) (bool, time.Duration) {
	lim := h.bucket(host)
	r := lim.ReserveN(now, 1)
	if !r.OK() {
		return false, time.Second
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// peek tells whether host has a token left at now, without taking it, and
// if not how long until it will.
func (h *hostLimiter) peek(host string, now time.Time) (bool, time.Duration) {
	lim := h.bucket(host)
	if lim.TokensAt(now) >= 1 {
		return true, 0
	}
	r := lim.ReserveN(now, 1)
	defer r.CancelAt(now)
	if !r.OK() {
		return false, time.Second
	}
	return false, r.DelayFrom(now)
}

// bucket returns host's limiter, making it (and evicting the least
// recently used one when full) if needed.
func (h *hostLimiter) bucket(host string) *rate.Limiter {
	h.mu.Lock()
	defer h.mu.Unlock()
	if el, ok := h.hosts[host]; ok {
		h.order.MoveToFront(el)
		return el.Value.(*hostBucket).lim
	}
	if h.order.Len() >= h.max {
		oldest := h.order.Back()
		h.order.Remove(oldest)
		delete(h.hosts, oldest.Value.(*hostBucket).host)
	}
	b := &hostBucket{host: host, lim: rate.NewLimiter(h.limit, h.burst)}
	h.hosts[host] = h.order.PushFront(b)
	return b.lim
}

// size is how many hosts are tracked.
func (h *hostLimiter) size() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.order.Len()
}
