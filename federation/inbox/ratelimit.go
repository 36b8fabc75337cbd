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

// rateLimit takes a token from host's bucket.
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
