package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// mustBatchRows stores received activities in the states a batch meets:
// due-1 and due-2 pending and due, done processed, later claimed for an
// hour, elsewhere pending but not in the batch; the batch lists them (by
// ids out of order) and an unknown id.
func mustBatchRows(tb testing.TB, s *store.Store, now time.Time) (map[string]*app.Activity, []int64) {
	tb.Helper()
	ctx := context.Background()
	rows := map[string]*app.Activity{}
	for _, name := range []string{"due-1", "due-2", "done", "later", "elsewhere"} {
		rows[name] = mustReceived(tb, s, "https://r.example/likes/"+name, now.Add(-time.Minute), true)
	}
	if err := s.SetActivityState(ctx, rows["done"].ID, app.ActivityProcessed, "", now); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.ClaimActivity(ctx, rows["later"].ID, 0, now, now.Add(time.Hour)); err != nil {
		tb.Fatal(err)
	}
	return rows, []int64{rows["due-2"].ID, rows["done"].ID, rows["later"].ID, rows["due-1"].ID, 1 << 40}
}

// TestClaimActivities: one statement claims exactly the rows of the batch
// that are pending and due, returns them whole and by id, and moves them
// out of the due rows, so that a second claim of the same batch gets
// none; MarkActivitiesProcessed finishes the batch in one statement.
func TestClaimActivities(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC().Truncate(time.Microsecond)
	lease := now.Add(5 * time.Minute)
	rows, batch := mustBatchRows(t, s, now)

	claimed, err := s.ClaimActivities(ctx, batch, now, lease)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range claimed {
		got = append(got, a.URI)
		if a.Document != "{}" || a.Type != "Like" || a.State != app.ActivityPending || !a.NextAttemptAt.Equal(lease) {
			t.Errorf("claimed row %s = %+v, want it whole, pending, leased until %v", a.URI, a, lease)
		}
	}
	want := []string{rows["due-1"].URI, rows["due-2"].URI}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("claimed (-want +got):\n%s", diff)
	}
	again, err := s.ClaimActivities(ctx, batch, now, lease)
	if err != nil || len(again) != 0 {
		t.Fatalf("second claim of the batch = %d rows, %v; want none", len(again), err)
	}

	if err := s.MarkActivitiesProcessed(ctx, []int64{rows["due-1"].ID, rows["due-2"].ID}, now); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"due-1", "due-2", "elsewhere"} {
		a, err := s.ActivityByID(ctx, rows[name].ID)
		if err != nil {
			t.Fatal(err)
		}
		wantState := app.ActivityProcessed
		if name == "elsewhere" {
			wantState = app.ActivityPending
		}
		if a.State != wantState || (wantState == app.ActivityProcessed) != (a.ProcessedAt != nil) {
			t.Errorf("%s: state %s, processed at %v; want %s", name, a.State, a.ProcessedAt, wantState)
		}
	}
}

// TestActorsBlockedBy: one query names the blocked actors among many, for
// the blocker asked about only.
func TestActorsBlockedBy(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	for _, b := range []app.ActorBlock{
		{ActorURI: "https://r.example/users/a", BlockedBy: "https://p.example/actor"},
		{ActorURI: "https://r.example/users/b", BlockedBy: "https://p.example/users/alice"},
	} {
		b.CreatedAt = time.Now().UTC()
		if err := s.InsertActorBlock(ctx, &b); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ActorsBlockedBy(ctx, "https://p.example/actor",
		[]string{"https://r.example/users/a", "https://r.example/users/b", "https://r.example/users/c"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"https://r.example/users/a": true}, got); diff != "" {
		t.Errorf("blocked (-want +got):\n%s", diff)
	}
}
