package delivery_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/plaudit/plaudit/federation/delivery"
)

// BenchmarkDeliver measures deliveries per second end to end on loopback:
// load the row, check the host, claim, sign (RSA-2048), POST to an inbox
// that answers 202 at once, record the outcome. Eight workers share one
// host with a concurrency limit of 8.
func BenchmarkDeliver(b *testing.B) {
	e := newEnv(b, func(d *delivery.Deps) { d.HostConcurrency = 8 })
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(srv.Close)
	inboxes := make([]string, b.N)
	for i := range inboxes {
		inboxes[i] = fmt.Sprintf("%s/users/u%d/inbox", srv.URL, i)
	}
	_, ds := e.publish(b, inboxes...)
	ids := make(chan int64, len(ds))
	for _, d := range ds {
		ids <- d.ID
	}
	close(ids)
	b.SetParallelism(4) // 4 × GOMAXPROCS workers
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := e.d.Deliver(context.Background(), <-ids); err != nil {
				b.Error(err)
			}
		}
	})
}
