package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/delivery"
)

// TestDeliverOutcomes: each answer of a signed POST leads to the right
// delivery state, number of requests and retries.
func TestDeliverOutcomes(t *testing.T) {
	for name, tc := range map[string]struct {
		status       func(n int) int
		attempts     int // Deps.Attempts
		wantState    string
		wantRequests int64
		wantAccepted int
		wantStatus   int
		wantError    string
	}{
		"202 delivered":                 {status: always(202), wantState: app.DeliveryDelivered, wantRequests: 1, wantAccepted: 1, wantStatus: 202},
		"500 then 200: retried, once":   {status: func(n int) int { return map[bool]int{true: 500, false: 200}[n == 1] }, wantState: app.DeliveryDelivered, wantRequests: 2, wantAccepted: 1, wantStatus: 200},
		"429 twice then 202":            {status: func(n int) int { return map[bool]int{true: 429, false: 202}[n <= 2] }, wantState: app.DeliveryDelivered, wantRequests: 3, wantAccepted: 1, wantStatus: 202},
		"401 is retried":                {status: func(n int) int { return map[bool]int{true: 401, false: 202}[n == 1] }, wantState: app.DeliveryDelivered, wantRequests: 2, wantAccepted: 1, wantStatus: 202},
		"404 dead without retry":        {status: always(404), wantState: app.DeliveryDead, wantRequests: 1, wantStatus: 404, wantError: "404"},
		"400 dead without retry":        {status: always(400), wantState: app.DeliveryDead, wantRequests: 1, wantStatus: 400, wantError: "400"},
		"410 dead without retry":        {status: always(410), wantState: app.DeliveryDead, wantRequests: 1, wantStatus: 410, wantError: "410"},
		"503 until attempts run out":    {status: always(503), attempts: 4, wantState: app.DeliveryDead, wantRequests: 4, wantStatus: 503, wantError: "gave up after 4 attempts"},
		"last attempt succeeds":         {status: func(n int) int { return map[bool]int{true: 502, false: 201}[n < 4] }, attempts: 4, wantState: app.DeliveryDelivered, wantRequests: 4, wantAccepted: 1, wantStatus: 201},
		"408 retried until it gives up": {status: always(408), attempts: 2, wantState: app.DeliveryDead, wantRequests: 2, wantStatus: 408, wantError: "gave up after 2 attempts"},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(d *delivery.Deps) { d.Attempts = tc.attempts })
			in := e.newInbox(t, tc.status)
			act, ds := e.publish(t, in.URL+"/users/bob/inbox")
			e.drive(t, ds[0].ID, 20)

			d := e.delivery(t, ds[0].ID)
			if d.State != tc.wantState || d.LastStatus != tc.wantStatus || int64(d.Attempts) != tc.wantRequests {
				t.Errorf("delivery = %s, status %d, %d attempts; want %s, %d, %d", d.State, d.LastStatus, d.Attempts, tc.wantState, tc.wantStatus, tc.wantRequests)
			}
			if !strings.Contains(d.LastError, tc.wantError) || (tc.wantError == "") != (d.LastError == "") {
				t.Errorf("last error = %q, want it to contain %q", d.LastError, tc.wantError)
			}
			if (d.DeliveredAt != nil) != (tc.wantState == app.DeliveryDelivered) {
				t.Errorf("delivered at = %v in state %s", d.DeliveredAt, d.State)
			}
			if got := in.requests.Load(); got != tc.wantRequests {
				t.Errorf("inbox got %d requests, want %d", got, tc.wantRequests)
			}
			accepted := in.acceptedBodies()
			if len(accepted) != tc.wantAccepted {
				t.Fatalf("inbox accepted %d times, want %d", len(accepted), tc.wantAccepted)
			}
			if len(accepted) == 1 && accepted[0] != act.Document {
				t.Errorf("inbox accepted %s, want the activity %s", accepted[0], act.Document)
			}
		})
	}
}

// TestDeliverRetrySchedule: a failed attempt stores the next attempt time
// from the backoff and queues attempt n+1 for that time.
func TestDeliverRetrySchedule(t *testing.T) {
	var seen []int
	e := newEnv(t, func(d *delivery.Deps) {
		d.Backoff = func(n int) time.Duration { seen = append(seen, n); return time.Hour }
	})
	in := e.newInbox(t, always(500))
	_, ds := e.publish(t, in.URL+"/inbox")
	before := time.Now()
	if err := e.d.Deliver(context.Background(), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	d := e.delivery(t, ds[0].ID)
	if d.State != app.DeliveryPending || d.Attempts != 1 || d.LastStatus != 500 {
		t.Fatalf("after a 500: %s, %d attempts, status %d", d.State, d.Attempts, d.LastStatus)
	}
	if d.NextAttemptAt.Before(before.Add(time.Hour-time.Second)) || d.NextAttemptAt.After(time.Now().Add(time.Hour)) {
		t.Errorf("next attempt at %v, want an hour from now", d.NextAttemptAt)
	}
	calls := e.queue.taken()
	if len(calls) != 1 || calls[0].Attempt != 2 || !calls[0].At.Equal(d.NextAttemptAt) {
		t.Errorf("queue calls %v, want attempt 2 at %v", calls, d.NextAttemptAt)
	}
	if diff := cmp.Diff([]int{1}, seen); diff != "" {
		t.Errorf("Backoff called with (-want +got):\n%s", diff)
	}
	// The retry task arriving early (not due yet) does nothing.
	if err := e.d.Deliver(context.Background(), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := in.requests.Load(); n != 1 {
		t.Errorf("an early task sent a request: %d requests", n)
	}
}

// TestDeliverTwice: a duplicate task, sequential or concurrent, sends
// nothing more.
func TestDeliverTwice(t *testing.T) {
	e := newEnv(t, nil)
	in := e.newInbox(t, always(202))
	in.delay = 50 * time.Millisecond
	_, ds := e.publish(t, in.URL+"/inbox")
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := e.d.Deliver(context.Background(), ds[0].ID); err != nil {
				t.Errorf("Deliver: %v", err)
			}
		})
	}
	wg.Wait()
	if err := e.d.Deliver(context.Background(), ds[0].ID); err != nil {
		t.Fatal(err)
	}
	if n := in.requests.Load(); n != 1 {
		t.Errorf("inbox got %d requests from 5 Deliver calls, want 1", n)
	}
	if d := e.delivery(t, ds[0].ID); d.State != app.DeliveryDelivered || d.Attempts != 1 {
		t.Errorf("delivery %s after %d attempts", d.State, d.Attempts)
	}
}

// TestDeliverHostConcurrency: with a limit of 2, ten deliveries to one
// host never have more than two requests in flight, and do use two.
func TestDeliverHostConcurrency(t *testing.T) {
	e := newEnv(t, func(d *delivery.Deps) { d.HostConcurrency = 2 })
	in := e.newInbox(t, always(202))
	// Long enough that, even on a loaded machine, a second delivery takes
	// the other slot while the first request is still in flight.
	in.delay = 250 * time.Millisecond
	other := e.newInbox(t, always(202))
	var inboxes []string
	for i := range 10 {
		inboxes = append(inboxes, fmt.Sprintf("%s/users/u%d/inbox", in.URL, i))
	}
	_, ds := e.publish(t, append(inboxes, other.URL+"/inbox")...)
	var wg sync.WaitGroup
	for _, d := range ds {
		wg.Go(func() {
			// A delivery that finds its host full is tried again, as the
			// queue would after RetryAfter.
			var busy *delivery.HostBusyError
			err := e.d.Deliver(context.Background(), d.ID)
			for ; errors.As(err, &busy); err = e.d.Deliver(context.Background(), d.ID) {
				time.Sleep(5 * time.Millisecond)
			}
			if err != nil {
				t.Errorf("Deliver %d: %v", d.ID, err)
			}
		})
	}
	wg.Wait()
	if got := in.maxIn.Load(); got != 2 {
		t.Errorf("at most %d concurrent requests to one host, want exactly 2", got)
	}
	if got := len(in.acceptedBodies()) + len(other.acceptedBodies()); got != 11 {
		t.Errorf("%d deliveries accepted, want 11", got)
	}
}

// TestDeliverSkips: blocked domains and unreachable hosts get no request.
func TestDeliverSkips(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		setup      func(t *testing.T, e *env, host string)
		wantReason string
	}{
		"blocked domain": {
			setup: func(t *testing.T, e *env, host string) {
				if _, err := e.mod.BlockDomain(ctx, host, app.BlockReject, "spam"); err != nil {
					t.Fatal(err)
				}
			},
			wantReason: "domain blocked",
		},
		"unreachable host": {
			setup: func(t *testing.T, e *env, host string) {
				if _, err := e.st.RecordHostFailure(ctx, host, time.Now()); err != nil {
					t.Fatal(err)
				}
				if marked, err := e.st.MarkHostUnreachable(ctx, host, time.Now()); err != nil || !marked {
					t.Fatalf("MarkHostUnreachable = %v, %v", marked, err)
				}
			},
			wantReason: "host unreachable",
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, nil)
			in := e.newInbox(t, always(202))
			_, ds := e.publish(t, in.URL+"/inbox")
			tc.setup(t, e, hostOf(in.URL))
			if err := e.d.Deliver(ctx, ds[0].ID); err != nil {
				t.Fatal(err)
			}
			d := e.delivery(t, ds[0].ID)
			if d.State != app.DeliverySkipped || !strings.Contains(d.LastError, tc.wantReason) || d.Attempts != 0 {
				t.Errorf("delivery = %s (%q), %d attempts; want skipped (%s), 0", d.State, d.LastError, d.Attempts, tc.wantReason)
			}
			if n := in.requests.Load(); n != 0 {
				t.Errorf("inbox got %d requests", n)
			}
		})
	}
}

// TestHostBecomesUnreachable: a host failing for longer than
// UnreachableAfter is marked unreachable and its pending deliveries are
// skipped; anything from it makes it reachable again.
func TestHostBecomesUnreachable(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(d *delivery.Deps) { d.UnreachableAfter = time.Millisecond })
	down := true
	var mu sync.Mutex
	in := e.newInbox(t, func(int) int {
		mu.Lock()
		defer mu.Unlock()
		return map[bool]int{true: 503, false: 202}[down]
	})
	host := hostOf(in.URL)
	_, ds := e.publish(t, in.URL+"/a/inbox", in.URL+"/b/inbox")

	if err := e.d.Deliver(ctx, ds[0].ID); err != nil { // first failure: streak starts
		t.Fatal(err)
	}
	if d := e.delivery(t, ds[0].ID); d.State != app.DeliveryPending {
		t.Fatalf("after one failure the delivery is %s, want pending", d.State)
	}
	time.Sleep(5 * time.Millisecond)
	e.queue.taken()
	if err := e.d.Deliver(ctx, ds[0].ID); err != nil { // streak longer than 1 ms: unreachable
		t.Fatal(err)
	}
	for _, d := range ds {
		if got := e.delivery(t, d.ID); got.State != app.DeliverySkipped {
			t.Errorf("delivery %d is %s, want skipped", d.ID, got.State)
		}
	}
	if calls := e.queue.taken(); len(calls) != 0 {
		t.Errorf("a skipped delivery was queued: %v", calls)
	}
	h, err := e.st.RemoteHostByName(ctx, host)
	if err != nil || h.UnreachableSince == nil || h.Failures != 2 {
		t.Fatalf("host = %+v, %v; want unreachable after 2 failures", h, err)
	}

	mu.Lock()
	down = false
	mu.Unlock()
	if err := e.d.MarkReachable(ctx, strings.ToUpper(host)); err != nil {
		t.Fatal(err)
	}
	if h, _ := e.st.RemoteHostByName(ctx, host); h.UnreachableSince != nil || h.Failures != 0 {
		t.Fatalf("after MarkReachable host = %+v", h)
	}
	_, fresh := e.publish(t, in.URL+"/a/inbox")
	if err := e.d.Deliver(ctx, fresh[0].ID); err != nil {
		t.Fatal(err)
	}
	if d := e.delivery(t, fresh[0].ID); d.State != app.DeliveryDelivered {
		t.Errorf("delivery after the host came back: %s", d.State)
	}
	if h, _ := e.st.RemoteHostByName(ctx, host); h.LastSuccessAt == nil {
		t.Errorf("success not recorded: %+v", h)
	}
}

// TestDeliverGone: a 410 from an actor's inbox marks the actor deleted
// and ends the other pending deliveries to it.
func TestDeliverGone(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	in := e.newInbox(t, always(410))
	inboxURL := in.URL + "/users/gone/inbox"
	now := time.Now().UTC()
	actor := &app.RemoteActor{URI: in.URL + "/users/gone", Type: "Person", Host: hostOf(in.URL), Inbox: inboxURL, FetchedAt: now}
	if err := e.st.UpsertRemoteActor(ctx, actor); err != nil {
		t.Fatal(err)
	}
	_, first := e.publish(t, inboxURL)
	_, second := e.publish(t, inboxURL)
	if err := e.d.Deliver(ctx, first[0].ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{first[0].ID, second[0].ID} {
		if d := e.delivery(t, id); d.State != app.DeliveryDead {
			t.Errorf("delivery %d is %s, want dead", id, d.State)
		}
	}
	a, err := e.st.RemoteActorByURI(ctx, actor.URI)
	if err != nil || a.DeletedAt == nil {
		t.Errorf("actor after 410: %+v, %v; want deleted", a, err)
	}
	if n := in.requests.Load(); n != 1 {
		t.Errorf("inbox got %d requests, want 1", n)
	}
}

// TestDeliverInterrupted: a request cut short by the task's context does
// not count as an attempt; the row is given back, due now.
func TestDeliverInterrupted(t *testing.T) {
	e := newEnv(t, nil)
	in := e.newInbox(t, always(202))
	in.delay = 2 * time.Second
	_, ds := e.publish(t, in.URL+"/inbox")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := e.d.Deliver(ctx, ds[0].ID); err == nil {
		t.Fatal("interrupted Deliver returned nil; the task would not be retried")
	}
	d := e.delivery(t, ds[0].ID)
	if d.State != app.DeliveryPending || d.Attempts != 0 || d.NextAttemptAt.After(time.Now()) {
		t.Errorf("after the interruption: %s, %d attempts, next %v; want pending, 0, due", d.State, d.Attempts, d.NextAttemptAt)
	}
}

// TestDeliverMissingRow: a task for a row that is gone does nothing.
func TestDeliverMissingRow(t *testing.T) {
	e := newEnv(t, nil)
	if err := e.d.Deliver(context.Background(), 424242); err != nil {
		t.Fatalf("Deliver of a missing row: %v", err)
	}
}
