package delivery_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/delivery"
)

// setState rewrites a delivery row for a test.
func (e *env) setState(t *testing.T, id int64, state string, attempts int, next time.Time) {
	t.Helper()
	err := e.st.DB().Model(&app.Delivery{}).Where("id = ?", id).
		Updates(map[string]any{"state": state, "attempts": attempts, "next_attempt_at": next.UTC()}).Error
	if err != nil {
		t.Fatal(err)
	}
}

// TestSweepDue: only pending rows whose time has come are enqueued, as
// their next attempt, however many batches it takes.
func TestSweepDue(t *testing.T) {
	e := newEnv(t, func(d *delivery.Deps) { d.SweepBatch = 2 })
	inboxes := []string{
		"https://a.example/1", "https://a.example/2", "https://a.example/3", "https://a.example/4",
		"https://a.example/5", "https://a.example/6", "https://a.example/7",
	}
	_, ds := e.publish(t, inboxes...)
	now := time.Now()
	e.setState(t, ds[0].ID, app.DeliveryPending, 0, now.Add(-time.Minute)) // due, never tried
	e.setState(t, ds[1].ID, app.DeliveryPending, 3, now.Add(-time.Second)) // due retry
	e.setState(t, ds[2].ID, app.DeliveryPending, 2, now.Add(time.Hour))    // later
	e.setState(t, ds[3].ID, app.DeliveryDelivered, 1, now.Add(-time.Hour))
	e.setState(t, ds[4].ID, app.DeliveryDead, 17, now.Add(-time.Hour))
	e.setState(t, ds[5].ID, app.DeliverySkipped, 0, now.Add(-time.Hour))
	e.setState(t, ds[6].ID, app.DeliveryPending, 5, now.Add(-time.Hour)) // due retry, third batch

	if err := e.d.SweepDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []queued{{ds[0].ID, 1, time.Time{}}, {ds[1].ID, 4, time.Time{}}, {ds[6].ID, 6, time.Time{}}}
	if diff := cmp.Diff(want, e.queue.taken()); diff != "" {
		t.Errorf("swept (-want +got):\n%s", diff)
	}
}

// TestDeadAndRetry: dead letters are listed for admins; a retry puts one
// back to pending, queues its next attempt and delivers it.
func TestDeadAndRetry(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	var fail atomic.Bool
	fail.Store(true)
	in := e.newInbox(t, func(int) int { return map[bool]int{true: 404, false: 202}[fail.Load()] })
	_, ds := e.publish(t, in.URL+"/inbox")
	if err := e.d.Deliver(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	dead, err := e.d.Dead(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].ID != ds[0].ID || dead[0].LastStatus != 404 || dead[0].LastError == "" {
		t.Fatalf("dead letters = %+v, want the 404 delivery with its error", dead)
	}
	if _, err := e.d.ByState(ctx, "lost", 10); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("ByState(lost) = %v, want %s", err, app.EINVALID)
	}

	fail.Store(false)
	d, err := e.d.Retry(ctx, ds[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != app.DeliveryPending || d.Attempts != 1 {
		t.Errorf("retried delivery: %s, %d attempts; want pending, 1", d.State, d.Attempts)
	}
	if diff := cmp.Diff([]queued{{ds[0].ID, 2, time.Time{}}}, e.queue.taken()); diff != "" {
		t.Errorf("Retry queued (-want +got):\n%s", diff)
	}
	if err := e.d.Deliver(ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if got := e.delivery(t, ds[0].ID); got.State != app.DeliveryDelivered {
		t.Errorf("after the retry the delivery is %s", got.State)
	}
	if _, err := e.d.Retry(ctx, ds[0].ID); app.ErrorCode(err) != app.ECONFLICT {
		t.Errorf("Retry of a delivered delivery = %v, want %s", err, app.ECONFLICT)
	}
	if _, err := e.d.Retry(ctx, 999999); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("Retry of a missing delivery = %v, want %s", err, app.ENOTFOUND)
	}
}

// TestDefaultBackoff: n⁴ + 15 seconds plus at most 10%; the 16 waits of
// the 17 default attempts add up to about 2.8 days.
func TestDefaultBackoff(t *testing.T) {
	for name, tc := range map[string]struct {
		n    int
		base time.Duration
	}{
		"first retry":  {1, 16 * time.Second},
		"second retry": {2, 31 * time.Second},
		"fifth":        {5, 640 * time.Second},
		"sixteenth":    {16, 65551 * time.Second},
	} {
		t.Run(name, func(t *testing.T) {
			for range 200 {
				got := delivery.DefaultBackoff(tc.n)
				if got < tc.base || got > tc.base+tc.base/10 {
					t.Fatalf("DefaultBackoff(%d) = %v, want within [%v, %v]", tc.n, got, tc.base, tc.base+tc.base/10)
				}
			}
		})
	}
	var shortest, longest time.Duration
	for n := 1; n < delivery.DefaultAttempts; n++ {
		base := time.Duration(n*n*n*n+15) * time.Second
		shortest += base
		longest += base + base/10
	}
	if shortest < 67*time.Hour || shortest > 68*time.Hour || longest > 75*time.Hour {
		t.Errorf("retry window %v to %v, documented as about 2.8 days (at most 3.1)", shortest, longest)
	}
}
