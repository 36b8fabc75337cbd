package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestRemoteHostHealth walks a host through a failure streak, the
// unreachable mark, the skipping of its pending deliveries (not others')
// and back. When to mark a host is the deliverer's decision
// (federation/delivery).
func TestRemoteHostHealth(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	t0 := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	a := &app.Activity{URI: "https://p.test/activities/1", Type: "Like", ActorURI: "https://p.test/users/a", Local: true, Document: "{}", State: app.ActivityPublished}
	ds, err := storetest.Publish(ctx, st, a, []string{"https://down.example/inbox", "https://up.example/inbox", "https://down.example/inbox"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 2 || ds[0].Host != "down.example" || ds[1].Host != "up.example" || ds[0].ID == 0 {
		t.Fatalf("deliveries = %+v, want one per distinct inbox with host and id", ds)
	}

	if err := st.RecordHostSuccess(ctx, "down.example", t0); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordHostSuccess(ctx, "down.example", t0.Add(time.Second)); err != nil { // recent: not rewritten
		t.Fatal(err)
	}
	var h *app.RemoteHost
	for i, at := range []time.Time{t0.Add(time.Hour), t0.Add(2 * time.Hour), t0.Add(26 * time.Hour)} {
		if h, err = st.RecordHostFailure(ctx, "down.example", at); err != nil {
			t.Fatal(err)
		}
		if h.Failures != i+1 || h.UnreachableSince != nil {
			t.Errorf("failure %d: host %+v", i+1, h)
		}
	}
	for i, want := range []bool{true, false} {
		if marked, err := st.MarkHostUnreachable(ctx, "down.example", t0.Add(26*time.Hour)); err != nil || marked != want {
			t.Fatalf("MarkHostUnreachable %d = %v, %v; want %v", i+1, marked, err, want)
		}
	}
	if n, err := st.SkipHostDeliveries(ctx, "down.example", "host unreachable", t0.Add(26*time.Hour)); err != nil || n != 1 {
		t.Fatalf("SkipHostDeliveries = %d, %v; want 1", n, err)
	}
	if h, err = st.RemoteHostByName(ctx, "down.example"); err != nil {
		t.Fatal(err)
	}
	if h.Failures != 3 || !h.FirstFailureAt.Equal(t0.Add(time.Hour)) || !h.LastFailureAt.Equal(t0.Add(26*time.Hour)) ||
		h.UnreachableSince == nil || !h.LastSuccessAt.Equal(t0) {
		t.Errorf("host after the streak = %+v", h)
	}
	for i, want := range []string{app.DeliverySkipped, app.DeliveryPending} {
		d, err := st.DeliveryByID(ctx, ds[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.State != want {
			t.Errorf("delivery to %s is %s, want %s", d.Host, d.State, want)
		}
	}

	if marked, err := st.MarkHostReachable(ctx, "down.example", t0.Add(27*time.Hour)); err != nil || !marked {
		t.Fatalf("MarkHostReachable = %v, %v; want true", marked, err)
	}
	if marked, err := st.MarkHostReachable(ctx, "down.example", t0.Add(28*time.Hour)); err != nil || marked {
		t.Errorf("second MarkHostReachable = %v, %v; want false", marked, err)
	}
	if h, _ = st.RecordHostFailure(ctx, "down.example", t0.Add(29*time.Hour)); h.Failures != 1 || !h.FirstFailureAt.Equal(t0.Add(29*time.Hour)) {
		t.Errorf("a fresh streak after recovery: %+v", h)
	}
	if err := st.RecordHostSuccess(ctx, "down.example", t0.Add(30*time.Hour)); err != nil {
		t.Fatal(err)
	}
	h, _ = st.RemoteHostByName(ctx, "down.example")
	if h.Failures != 0 || h.FirstFailureAt != nil || h.UnreachableSince != nil || !h.LastSuccessAt.Equal(t0.Add(30*time.Hour)) {
		t.Errorf("host after a success = %+v", h)
	}
	if _, err := st.RemoteHostByName(ctx, "never.example"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown host: %v", err)
	}
}
