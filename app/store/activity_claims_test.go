package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// mustReceived stores a pending received activity that arrived at created,
// one way or the other (batched or alone).
func mustReceived(tb testing.TB, s *store.Store, uri string, created time.Time, batched bool) *app.Activity {
	tb.Helper()
	a := &app.Activity{URI: uri, Type: "Like", ActorURI: "https://r.example/users/a", Document: "{}", State: app.ActivityPending, CreatedAt: created.UTC()}
	var err error
	if batched {
		_, err = s.InsertActivities(context.Background(), []*app.Activity{a})
	} else {
		_, err = s.InsertActivity(context.Background(), a)
	}
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

// TestClaimActivity: a received activity is due when it arrives; one claim
// wins it, for one attempt count, and moves it out of the due rows until
// the lease ends or it is released.
func TestClaimActivity(t *testing.T) {
	for name, batched := range map[string]bool{"inserted alone": false, "inserted in a batch": true} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := storetest.Open(t)
			now := time.Now().UTC().Truncate(time.Microsecond)
			a := mustReceived(t, s, "https://r.example/likes/1", now.Add(-time.Minute), batched)
			due := func(at time.Time) []int64 {
				t.Helper()
				rows, err := s.DueActivities(ctx, at, 0, 10)
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, r := range rows {
					ids = append(ids, r.ID)
				}
				return ids
			}
			if got := due(now); len(got) != 1 || got[0] != a.ID {
				t.Fatalf("due before the claim = %v, want [%d]", got, a.ID)
			}
			claim := func(attempts int) bool {
				t.Helper()
				won, err := s.ClaimActivity(ctx, a.ID, attempts, now, now.Add(5*time.Minute))
				if err != nil {
					t.Fatal(err)
				}
				return won
			}
			if claim(1) {
				t.Fatal("a claim for the wrong attempt count was won")
			}
			if !claim(0) {
				t.Fatal("the first claim was lost")
			}
			if claim(0) {
				t.Fatal("a second claim was won while the first holds the row")
			}
			if got := due(now); len(got) != 0 {
				t.Fatalf("a claimed row is due: %v", got)
			}
			if got := due(now.Add(6 * time.Minute)); len(got) != 1 {
				t.Fatalf("due after the lease = %v, want the row", got)
			}
			if err := s.ReleaseActivity(ctx, a.ID, 0, now); err != nil {
				t.Fatal(err)
			}
			if !claim(0) {
				t.Fatal("a released row could not be claimed")
			}
		})
	}
}

// TestDueActivitiesPages: only pending received rows are due, in id order
// after the given id.
func TestDueActivitiesPages(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	var ids []int64
	for i, uri := range []string{"https://r.example/1", "https://r.example/2", "https://r.example/3"} {
		ids = append(ids, mustReceived(t, s, uri, now.Add(-time.Duration(i+1)*time.Minute), i%2 == 0).ID)
	}
	done := mustReceived(t, s, "https://r.example/done", now.Add(-time.Hour), false)
	if err := s.SetActivityState(ctx, done.ID, app.ActivityProcessed, "", now); err != nil {
		t.Fatal(err)
	}
	local := &app.Activity{URI: "https://p.example/1", Type: "Like", ActorURI: "https://p.example/users/a", Local: true, Document: "{}", State: app.ActivityPending, CreatedAt: now.Add(-time.Hour)}
	if _, err := s.InsertActivity(ctx, local); err != nil {
		t.Fatal(err)
	}
	first, err := s.DueActivities(ctx, now, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	rest, err := s.DueActivities(ctx, now, first[len(first)-1].ID, 2)
	if err != nil {
		t.Fatal(err)
	}
	got := []int64{}
	for _, r := range append(first, rest...) {
		got = append(got, r.ID)
	}
	if len(got) != 3 || got[0] != ids[0] || got[1] != ids[1] || got[2] != ids[2] {
		t.Fatalf("due rows over two pages = %v, want %v", got, ids)
	}
}
