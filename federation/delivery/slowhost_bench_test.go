package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/federation/delivery"
)

// BenchmarkDeliverWithSlowHost measures deliveries per second to a fast
// loopback inbox while every fifth delivery goes to a host that never
// answers (each such POST holds its worker until the client's 5 s
// timeout). Eight workers, a host concurrency of 4 (half the workers, as
// an instance sets it): a delivery whose host is full goes back to the end
// of the queue at once, as the worker's postponement does, and the worker
// takes the next one. It reports fast-deliveries/s: b.N over the
// time until the last fast delivery was recorded.
func BenchmarkDeliverWithSlowHost(b *testing.B) {
	e := newEnv(b, func(d *delivery.Deps) { d.HostConcurrency = 4 })
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}))
	b.Cleanup(fast.Close)
	stop := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select { // never answers
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	b.Cleanup(slow.Close)
	b.Cleanup(func() { close(stop) }) // runs first: Close waits for the handlers
	var inboxes []string
	for i := range b.N {
		inboxes = append(inboxes, fmt.Sprintf("%s/users/u%d/inbox", fast.URL, i))
		if i%4 == 3 {
			inboxes = append(inboxes, fmt.Sprintf("%s/users/s%d/inbox", slow.URL, i))
		}
	}
	_, ds := e.publish(b, inboxes...)
	type job struct {
		id   int64
		fast bool
	}
	jobs := make(chan job, len(ds))
	for _, d := range ds {
		jobs <- job{d.ID, strings.HasPrefix(d.Inbox, fast.URL+"/")}
	}
	var (
		wg        sync.WaitGroup
		fastDone  atomic.Int64
		postponed atomic.Int64
		lastFast  atomic.Int64 // ns since start
		finished  = make(chan struct{})
		once      sync.Once
	)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range 8 {
		wg.Go(func() {
			for {
				var j job
				select {
				case j = <-jobs:
				case <-finished: // the slow ones left are not measured
					return
				}
				err := e.d.Deliver(context.Background(), j.id)
				var busy *delivery.HostBusyError
				switch {
				case errors.As(err, &busy):
					postponed.Add(1)
					jobs <- j
				case j.fast && err != nil:
					b.Error(err)
				case j.fast:
					lastFast.Store(int64(time.Since(start)))
					if fastDone.Add(1) == int64(b.N) {
						once.Do(func() { close(finished) })
					}
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	elapsed := time.Duration(lastFast.Load())
	b.ReportMetric(float64(fastDone.Load())/elapsed.Seconds(), "fast-deliveries/s")
	b.ReportMetric(float64(postponed.Load()), "postponed")
}
