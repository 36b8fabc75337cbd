package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// loginSite is a server with users alice and bob, sign-in limits on a
// test clock, and 127.0.0.1 trusted as a proxy so that each request can
// name its client IP in X-Forwarded-For.
type loginSite struct {
	*server
	clock  *testClock
	client *http.Client
	csrf   string
}

func newLoginSite(t *testing.T, limits web.LoginLimits, slots *accounts.HashSlots) *loginSite {
	t.Helper()
	clock := &testClock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	limits.Now = clock.Now
	s := newServer(t, func(o *accounts.Options) { o.HashSlots = slots }, func(d *web.Deps, _ *accounts.Service, _ *store.Store) {
		d.LoginLimits = &limits
		d.TrustedProxies = []string{"127.0.0.1"}
	})
	s.mustUser(t, "alice", false)
	s.mustUser(t, "bob", false)
	c := browser(t)
	return &loginSite{server: s, clock: clock, client: c, csrf: formToken(t, c, s.srv.URL, "/login")}
}

// login posts the sign-in form from clientIP and returns the status, the
// Retry-After header and the page.
func (l *loginSite) login(t *testing.T, clientIP, username, password string) (int, string, string) {
	t.Helper()
	form := url.Values{"csrf_token": {l.csrf}, "username": {username}, "password": {password}}
	req, _ := http.NewRequest(http.MethodPost, l.srv.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	req.Header.Set("X-Forwarded-For", clientIP)
	resp, err := l.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(b)
}

// attempt is one sign-in and what it must get.
type attempt struct {
	ip, user, password string
	want               int
	retryAfter         string // when want is 429
	message            string // part of the page, when want is 429
}

const (
	good = "a long password"
	bad  = "not the password"
)

func TestLoginLimits(t *testing.T) {
	for name, tc := range map[string]struct {
		limits web.LoginLimits
		steps  []any // attempt, or time.Duration to move the clock
	}{
		"failed sign-ins from one IP run out, other IPs are not hit": {
			limits: web.LoginLimits{PerIP: 3, PerUsername: 100, Window: time.Minute},
			steps: []any{
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "bob", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "nobody", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 429, retryAfter: "20", message: "too many failed sign-ins from your network address; try again in 20 seconds"},
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 429, retryAfter: "20"},
				attempt{ip: "203.0.113.2", user: "alice", password: bad, want: 401},
				19 * time.Second,
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 429, retryAfter: "1"},
				time.Second,
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 303},
			},
		},
		"successful sign-ins do not count": {
			limits: web.LoginLimits{PerIP: 2, PerUsername: 100, Window: time.Hour},
			steps: []any{
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 303},
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 303},
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 303},
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 429, retryAfter: "1800"},
			},
		},
		"failed sign-ins for one username run out, from any IP": {
			limits: web.LoginLimits{PerIP: 100, PerUsername: 2, Window: 10 * time.Minute},
			steps: []any{
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "198.51.100.9", user: "ALICE", password: bad, want: 401},
				attempt{ip: "192.0.2.4", user: " Alice ", password: good, want: 429, retryAfter: "300", message: "too many failed sign-ins for this username; try again in 5 minutes"},
				attempt{ip: "192.0.2.4", user: "bob", password: good, want: 303},
				5 * time.Minute,
				attempt{ip: "192.0.2.4", user: "alice", password: good, want: 303},
			},
		},
		"an IPv6 client is counted by its /64": {
			limits: web.LoginLimits{PerIP: 2, PerUsername: 100, Window: time.Minute},
			steps: []any{
				attempt{ip: "2001:db8:1:2::1", user: "alice", password: bad, want: 401},
				attempt{ip: "2001:db8:1:2:ffff::9", user: "alice", password: bad, want: 401},
				attempt{ip: "2001:db8:1:2::77", user: "alice", password: good, want: 429, retryAfter: "30"},
				attempt{ip: "2001:db8:1:3::1", user: "alice", password: good, want: 303},
			},
		},
		"limits off": {
			limits: web.LoginLimits{Window: time.Minute},
			steps: []any{
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: bad, want: 401},
				attempt{ip: "203.0.113.1", user: "alice", password: good, want: 303},
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			site := newLoginSite(t, tc.limits, nil)
			for i, step := range tc.steps {
				if d, ok := step.(time.Duration); ok {
					site.clock.advance(d)
					continue
				}
				a := step.(attempt)
				status, retry, page := site.login(t, a.ip, a.user, a.password)
				if status != a.want {
					t.Fatalf("step %d %+v: status %d, want %d\n%s", i, a, status, a.want, page)
				}
				if a.want == http.StatusTooManyRequests && retry != a.retryAfter {
					t.Errorf("step %d: Retry-After %q, want %q", i, retry, a.retryAfter)
				}
				if !strings.Contains(page, a.message) {
					t.Errorf("step %d: page does not say %q:\n%s", i, a.message, page)
				}
			}
		})
	}
}

// TestLoginWhileHashingIsBusy holds the only password-hashing slot: a
// sign-in is then refused at once with 429 and Retry-After, and the
// refusal does not count against the client's failed attempts.
func TestLoginWhileHashingIsBusy(t *testing.T) {
	slots := accounts.NewHashSlots(1)
	site := newLoginSite(t, web.LoginLimits{PerIP: 1, PerUsername: 1, Window: time.Hour}, slots)
	if !slots.TryAcquire() {
		t.Fatal("could not take the hashing slot")
	}
	for range 3 {
		status, retry, page := site.login(t, "203.0.113.1", "alice", bad)
		if status != http.StatusTooManyRequests || retry != "1" || !strings.Contains(page, "busy checking other passwords") {
			t.Fatalf("busy sign-in = %d, Retry-After %q, want 429 and 1\n%s", status, retry, page)
		}
	}
	form := url.Values{"csrf_token": {site.csrf}, "username": {"newbie"}, "password": {good}}
	resp := postForm(t, site.client, site.srv.URL+"/signup", form, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("busy sign-up = %d, Retry-After %q, want 429 and 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	slots.Release()
	if status, _, page := site.login(t, "203.0.113.1", "alice", bad); status != http.StatusUnauthorized {
		t.Fatalf("first checked attempt = %d, want 401: the busy refusals counted\n%s", status, page)
	}
	if status, _, _ := site.login(t, "203.0.113.1", "alice", good); status != http.StatusTooManyRequests {
		t.Fatalf("after the one allowed failure = %d, want 429", status)
	}
}
