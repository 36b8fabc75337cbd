package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
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
			id := <-ids
			var busy *delivery.HostBusyError
			err := e.d.Deliver(context.Background(), id)
			for ; errors.As(err, &busy); err = e.d.Deliver(context.Background(), id) {
				runtime.Gosched()
			}
			if err != nil {
				b.Error(err)
			}
		}
	})
}
