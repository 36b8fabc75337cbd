package web

import (
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// LoginLimits bound failed sign-ins, per web process. They live here, not
// in app/accounts, because the client IP is an HTTP notion (and whether to
// believe X-Forwarded-For is the router's business); the bound on password
// hashes running at once, which protects the process's memory whatever
// the client, is accounts.HashSlots.
type LoginLimits struct {
	// PerIP is how many failed sign-ins one client IP (one /64 for IPv6)
	// may make per Window; 0 is no limit.
	PerIP int
	// PerUsername is how many failed sign-ins one username may take per
	// Window, from anywhere; 0 is no limit.
	PerUsername int
	// Window is how long an empty bucket takes to refill completely; it
	// refills steadily, one attempt every Window/limit.
	Window time.Duration
	// Now is the clock; nil uses time.Now (tests move it by hand).
	Now func() time.Time
}

// DefaultLoginLimits are the limits of configs.Default: 20 failed sign-ins
// per IP and 10 per username every 15 minutes.
func DefaultLoginLimits() LoginLimits {
	return LoginLimits{PerIP: 20, PerUsername: 10, Window: 15 * time.Minute}
}

// loginLimiter holds the buckets. An attempt takes a token from both of
// its buckets before the password is checked, so parallel attempts cannot
// overtake the limit; an attempt that did not fail (signed in, or never
// checked) gives its tokens back, so only failed sign-ins count.
type loginLimiter struct {
	ip, username *buckets
	now          func() time.Time
}

func newLoginLimiter(l LoginLimits) *loginLimiter {
	if l.Now == nil {
		l.Now = time.Now
	}
	return &loginLimiter{
		ip:       newBuckets(l.PerIP, l.Window, maxTrackedKeys),
		username: newBuckets(l.PerUsername, l.Window, maxTrackedKeys),
		now:      l.Now,
	}
}

// loginAttempt is one sign-in that passed the limits.
type loginAttempt struct {
	l            *loginLimiter
	ip, username string
}

// begin admits an attempt from clientIP for username, or refuses it with
// app.ERATELIMITED and how long to wait.
func (l *loginLimiter) begin(clientIP, username string) (*loginAttempt, time.Duration, error) {
	a := &loginAttempt{l: l, ip: ipKey(clientIP), username: usernameKey(username)}
	now := l.now()
	if ok, wait := l.ip.take(a.ip, now); !ok {
		return nil, wait, app.Errorf(app.ERATELIMITED, "too many failed sign-ins from your network address; try again in %s", humanWait(wait))
	}
	if ok, wait := l.username.take(a.username, now); !ok {
		l.ip.give(a.ip, now)
		return nil, wait, app.Errorf(app.ERATELIMITED, "too many failed sign-ins for this username; try again in %s", humanWait(wait))
	}
	return a, 0, nil
}

// end settles the attempt: a wrong username or password keeps its tokens
// taken, anything else gives them back.
func (a *loginAttempt) end(err error) {
	if app.ErrorCode(err) == app.EUNAUTHORIZED {
		return
	}
	now := a.l.now()
	a.l.ip.give(a.ip, now)
	a.l.username.give(a.username, now)
}

// ipKey is the bucket of a client IP: the address itself for IPv4, its /64
// for IPv6, since one subscriber usually holds a whole /64.
func ipKey(clientIP string) string {
	addr, err := netip.ParseAddr(clientIP)
	if err != nil {
		return clientIP
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p.String()
	}
	return addr.String()
}

// usernameKey is the bucket of a username as typed: compared as the
// accounts service compares it, and cut short so that a long name cannot
// make a large key.
func usernameKey(username string) string {
	key := strings.ToLower(strings.TrimSpace(username))
	if len(key) > 64 {
		key = key[:64]
	}
	return key
}

// humanWait says d in whole seconds or minutes, rounded up.
func humanWait(d time.Duration) string {
	secs := int(math.Ceil(d.Seconds()))
	switch {
	case secs <= 1:
		return "1 second"
	case secs < 90:
		return fmt.Sprintf("%d seconds", secs)
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(float64(secs)/60)))
}

// setRetryAfter tells the client how long to wait, in whole seconds
// (at least 1).
func setRetryAfter(c *gin.Context, d time.Duration) {
	c.Header("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.Seconds())))))
}
