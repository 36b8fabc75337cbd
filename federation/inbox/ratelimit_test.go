package inbox

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/plaudit/plaudit/federation/as2"
)

// TestForgedSignaturesDoNotSpendTheHostsAllowance: requests signed with a
// forged key of alice's server, from another address, are charged to that
// address; alice's server still gets its whole allowance.
func TestForgedSignaturesDoNotSpendTheHostsAllowance(t *testing.T) {
	now := time.Now()
	e := newEnv(t, envOptions{rateLimit: 1, rateBurst: 2, now: func() time.Time { return now }, quiet: true})
	alice := e.alice()
	like := func(n int) []byte {
		return e.mustJSON(as2.NewActivity(alice.id+"#likes/f"+strconv.Itoa(n), "Like", alice.id, e.urls.Object("t")))
	}
	send := func(r request, from string) int {
		req := e.build(r)
		req.Header.Set(testClientIP, from)
		status, _ := e.send(req)
		return status
	}
	var statuses []int
	for i := range 5 {
		statuses = append(statuses, send(request{body: like(i), as: &alice, key: dereftestKey("mallory")}, "198.51.100.7"))
	}
	if statuses[0] != http.StatusUnauthorized || statuses[4] != http.StatusTooManyRequests {
		t.Fatalf("forged requests answered %v, want 401 and then 429 for the forger's address", statuses)
	}
	for i := range 2 {
		if status := send(request{body: like(10 + i), as: &alice}, "203.0.113.5"); status != http.StatusAccepted {
			t.Fatalf("alice's real request %d after the forgeries: %d, want 202", i, status)
		}
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r *bytes.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *countingReader) Close() error { return nil }

// TestUnsignedFloodIsLimitedByAddress: unsigned requests from one address
// are refused with 429 once its allowance is used, without their body
// being read; another address is not affected.
func TestUnsignedFloodIsLimitedByAddress(t *testing.T) {
	now := time.Now()
	e := newEnv(t, envOptions{rateLimit: 1, rateBurst: 2, now: func() time.Time { return now }, quiet: true})
	body := e.mustJSON(as2.NewActivity(e.alice().id+"#likes/u", "Like", e.alice().id, e.urls.Object("t")))
	post := func(from string) (int, int) {
		rd := &countingReader{r: bytes.NewReader(body)}
		req := httptest.NewRequest(http.MethodPost, e.base+"/inbox", rd)
		req.Header.Set("Content-Type", "application/activity+json")
		req.RemoteAddr = from + ":4444"
		w := httptest.NewRecorder()
		e.inbox.ServeShared(w, req)
		return w.Code, rd.n
	}
	for i := range 2 {
		if status, _ := post("198.51.100.9"); status != http.StatusUnauthorized {
			t.Fatalf("unsigned request %d: %d, want 401", i, status)
		}
	}
	status, read := post("198.51.100.9")
	if status != http.StatusTooManyRequests || read != 0 {
		t.Fatalf("unsigned request over the limit: %d after reading %d bytes; want 429 before reading", status, read)
	}
	if status, _ := post("198.51.100.10"); status != http.StatusUnauthorized {
		t.Fatalf("another address: %d, want 401", status)
	}
}
