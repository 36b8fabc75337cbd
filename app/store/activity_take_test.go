package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestTakeActivities: in a transaction, one statement takes exactly the
// rows of the batch that are pending and due, returns them whole, by id
// and as they were, and marks them processed; a rollback leaves them
// pending and due; a take of the same rows by another transaction
// meanwhile waits for the first and then gets none.
func TestTakeActivities(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	rows, batch := mustBatchRows(t, s, now)
	want := []string{rows["due-1"].URI, rows["due-2"].URI}
	take := func(ctx context.Context) []string {
		t.Helper()
		taken, err := s.TakeActivities(ctx, batch, now, now)
		if err != nil {
			t.Error(err) // also from another goroutine
		}
		var got []string
		for _, a := range taken {
			got = append(got, a.URI)
			if a.Document != "{}" || a.Type != "Like" || a.State != app.ActivityPending || a.ActorURI == "" {
				t.Errorf("taken row %s = %+v, want it whole, as it was", a.URI, a)
			}
		}
		return got
	}

	rollback := errors.New("roll back")
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if diff := cmp.Diff(want, take(ctx)); diff != "" {
			t.Errorf("taken (-want +got):\n%s", diff)
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatal(err)
	}
	for _, name := range []string{"due-1", "due-2"} {
		if a, err := s.ActivityByID(ctx, rows[name].ID); err != nil || a.State != app.ActivityPending || a.NextAttemptAt.After(now) {
			t.Errorf("%s after a rollback: %+v, %v; want pending and due", name, a, err)
		}
	}

	second := make(chan []string)
	err = s.WithTx(ctx, func(ctx context.Context) error {
		if diff := cmp.Diff(want, take(ctx)); diff != "" {
			t.Errorf("taken (-want +got):\n%s", diff)
		}
		go func() {
			var got []string
			_ = s.WithTx(context.Background(), func(ctx context.Context) error {
				got = take(ctx)
				return nil
			})
			second <- got
		}()
		time.Sleep(100 * time.Millisecond) // the other take waits meanwhile
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-second; len(got) != 0 {
		t.Errorf("a concurrent take got %v, want none", got)
	}
	for name, r := range rows {
		a, err := s.ActivityByID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantState := app.ActivityPending
		if name == "due-1" || name == "due-2" || name == "done" {
			wantState = app.ActivityProcessed
		}
		if a.State != wantState || (wantState == app.ActivityProcessed) != (a.ProcessedAt != nil) {
			t.Errorf("%s: state %s, processed at %v; want %s", name, a.State, a.ProcessedAt, wantState)
		}
	}
}
