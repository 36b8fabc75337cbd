package delivery_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/delivery"
)

// TestDeliverSaturatedHostIsPutBack: while the host's only slot is taken
// by a request that does not end, a second delivery to the host returns a
// HostBusyError at once instead of waiting, leaves its row untouched and
// sends nothing; once the slot is free it is delivered.
func TestDeliverSaturatedHostIsPutBack(t *testing.T) {
	e := newEnv(t, func(d *delivery.Deps) { d.HostConcurrency = 1 })
	entered, hold := make(chan struct{}, 1), make(chan struct{})
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if requests.Add(1) == 1 {
			entered <- struct{}{}
			<-hold
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	released := false
	release := func() {
		if !released {
			released = true
			close(hold)
		}
	}
	t.Cleanup(release)
	_, ds := e.publish(t, srv.URL+"/users/a/inbox", srv.URL+"/users/b/inbox")
	first := make(chan error, 1)
	go func() { first <- e.d.Deliver(context.Background(), ds[0].ID) }()
	<-entered

	// Bounded so that a Deliver that waits for the slot fails the test
	// instead of hanging it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	before := e.delivery(t, ds[1].ID)
	err := e.d.Deliver(ctx, ds[1].ID)
	var busy *delivery.HostBusyError
	if !errors.As(err, &busy) {
		t.Fatalf("Deliver to a full host = %v, want a *HostBusyError", err)
	}
	if busy.RetryAfter() <= 0 || busy.Host != before.Host {
		t.Errorf("busy error %+v: want host %s and a positive RetryAfter", busy, before.Host)
	}
	after := e.delivery(t, ds[1].ID)
	if after.State != app.DeliveryPending || after.Attempts != 0 || !after.NextAttemptAt.Equal(before.NextAttemptAt) {
		t.Errorf("row touched while the host was full: %+v, was %+v", after, before)
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests while the host was full, want 1", n)
	}
	if calls := e.queue.taken(); len(calls) != 0 {
		t.Errorf("a put-back delivery was queued by the deliverer: %v", calls)
	}

	release()
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := e.d.Deliver(ctx, ds[1].ID); err != nil {
		t.Fatalf("Deliver once the host is free: %v", err)
	}
	if got := e.delivery(t, ds[1].ID); got.State != app.DeliveryDelivered {
		t.Errorf("second delivery is %s once the host was free, want delivered", got.State)
	}
}
