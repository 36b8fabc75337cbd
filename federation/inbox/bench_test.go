package inbox

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/plaudit/plaudit/federation/as2"
)

// BenchmarkReceiveLike measures the inbox's HTTP side for signed Likes:
// content checks, signature verification (key from the store), replay
// check, moderation, the deduplicating insert and the enqueue (a fake
// queue). The requests are signed before the timer starts, each with its
// own activity id. Run it on PostgreSQL with PLAUDIT_TEST_DATABASE_URL.
func BenchmarkReceiveLike(b *testing.B) {
	e := newEnv(b, envOptions{quiet: true})
	alice := e.alice()
	warm := e.mustJSON(as2.NewActivity(alice.id+"#likes/warm", "Like", alice.id, e.urls.Object("t")))
	if status, msg := e.post(request{body: warm, as: &alice}); status != http.StatusAccepted {
		b.Fatalf("warm-up: %d %s", status, msg)
	}
	reqs := make(chan *http.Request, b.N)
	for i := range b.N {
		body := e.mustJSON(as2.NewActivity(alice.id+"#likes/"+strconv.Itoa(i), "Like", alice.id, e.urls.Object("t")))
		reqs <- e.build(request{body: body, as: &alice})
	}
	close(reqs)
	handler := e.server.Config.Handler
	b.ReportAllocs()
	// Many servers deliver at once: more requests in flight than cores
	// let the database group its commits.
	b.SetParallelism(8)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, <-reqs)
			if w.Code != http.StatusAccepted {
				b.Errorf("status %d: %s", w.Code, w.Body.String())
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "accepted/s")
}
