package delivery_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/delivery"
)

// TestHostMarkedUnreachableAfterTheStreak: a host that fails for longer
// than UnreachableAfter without a success is marked unreachable by the
// deliverer, and its pending deliveries are skipped with it; a shorter
// streak marks nothing.
func TestHostMarkedUnreachableAfterTheStreak(t *testing.T) {
	ctx := context.Background()
	clock := time.Now().UTC().Truncate(time.Microsecond)
	e := newEnv(t, func(d *delivery.Deps) {
		d.UnreachableAfter = 24 * time.Hour
		d.Now = func() time.Time { return clock }
	})
	// A listener that refuses: every attempt is a connection failure.
	down := e.newInbox(t, always(202))
	inbox := down.URL + "/inbox"
	down.Close()
	_, ds := e.publish(t, inbox)
	_, others := e.publish(t, inbox)

	for i, step := range []time.Duration{0, 12 * time.Hour, 13 * time.Hour} {
		clock = clock.Add(step)
		if err := e.st.ReleaseDelivery(ctx, ds[0].ID, i, clock); err != nil {
			t.Fatal(err)
		}
		if err := e.d.Deliver(ctx, ds[0].ID); err != nil {
			t.Fatal(err)
		}
		h, err := e.st.RemoteHostByName(ctx, ds[0].Host)
		if err != nil {
			t.Fatal(err)
		}
		if want := i == 2; (h.UnreachableSince != nil) != want {
			t.Fatalf("after failure %d (%v into the streak): unreachable %v, want %v", i+1, clock.Sub(*h.FirstFailureAt), h.UnreachableSince, want)
		}
	}
	d, err := e.st.DeliveryByID(ctx, others[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != app.DeliverySkipped {
		t.Fatalf("another pending delivery to the unreachable host is %s, want skipped", d.State)
	}
	if d, _ = e.st.DeliveryByID(ctx, ds[0].ID); d.State != app.DeliverySkipped {
		t.Fatalf("the delivery that marked the host is %s, want skipped", d.State)
	}
}
