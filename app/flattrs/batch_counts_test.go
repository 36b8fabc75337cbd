package flattrs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// storedCounts are a thing's counts as cached (thing_counts and the
// things row) or as counted from the flattrs and likes stored.
type storedCounts struct {
	Flattrs, Weight, Cheers                int64 // this month
	FlattrsAllTime, CheersAllTime, Funders int64
}

func cachedCounts(t *testing.T, e *env, uri, month string) storedCounts {
	t.Helper()
	var c storedCounts
	db := e.st.DB()
	if err := db.Raw("SELECT coalesce(sum(flattrs), 0) AS flattrs, coalesce(sum(weight), 0) AS weight, coalesce(sum(cheers), 0) AS cheers FROM thing_counts WHERE thing_uri = ? AND month = ?", uri, month).
		Scan(&c).Error; err != nil {
		t.Fatal(err)
	}
	var all struct{ FlattrsAllTime, CheersAllTime, Funders int64 }
	if err := db.Raw("SELECT flattrs_all_time, cheers_all_time, funders FROM things WHERE uri = ?", uri).Scan(&all).Error; err != nil {
		t.Fatal(err)
	}
	c.FlattrsAllTime, c.CheersAllTime, c.Funders = all.FlattrsAllTime, all.CheersAllTime, all.Funders
	return c
}

func countedCounts(t *testing.T, e *env, uri, month string) storedCounts {
	t.Helper()
	var c storedCounts
	db := e.st.DB()
	start, end, err := app.MonthBounds(month)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Raw(`SELECT count(*) FILTER (WHERE month = ?) AS flattrs, coalesce(sum(weight) FILTER (WHERE month = ?), 0) AS weight,
  count(*) AS flattrs_all_time, count(DISTINCT funder_key) AS funders
FROM flattrs WHERE thing_uri = ? AND state = 'active'`, month, month, uri).Scan(&c).Error; err != nil {
		t.Fatal(err)
	}
	var l struct{ Cheers, CheersAllTime int64 }
	if err := db.Raw(`SELECT count(*) FILTER (WHERE created_at >= ? AND created_at < ?) AS cheers, count(*) AS cheers_all_time
FROM likes WHERE object_uri = ? AND content = ''`, start, end, uri).Scan(&l).Error; err != nil {
		t.Fatal(err)
	}
	c.Cheers, c.CheersAllTime = l.Cheers, l.CheersAllTime
	return c
}

// TestBatchedCountsStayExact: the inbox's batches (ReceiveAll) move the
// cached counts by what they wrote rather than counting afresh; after any
// sequence of batches of flattrs (named and anonymous, new and replacing,
// repeated), cheers and reactions of two things, mixed with weight
// changes and undos (which recount), the cached counts equal those
// counted from the rows, the distinct funders included, also for funders
// who flattred a thing in an earlier month.
func TestBatchedCountsStayExact(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(10) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := newEnv(t)
			month, last := app.MonthOf(e.now), app.MonthOf(e.now.AddDate(0, -1, 0))
			other := base + "/objects/n2"
			if err := e.st.UpsertThing(ctx, &app.Thing{URI: other, OwnerURI: urls{}.Actor("alice"), OwnerConfirmed: true, Kind: app.ThingNote, Host: "p.example", Local: true}); err != nil {
				t.Fatal(err)
			}
			things := []string{e.note, other}
			// History: two of the actors flattred the first thing last month.
			for a := range 2 {
				f := &app.Flattr{ActivityURI: fmt.Sprintf("https://q.example/u/%d/likes/old", a), FunderURI: fmt.Sprintf("https://q.example/u/%d", a),
					ThingURI: e.note, Month: last, Weight: 2, State: app.FlattrActive, ChangedAt: e.now.AddDate(0, -1, 0)}
				if _, err := e.st.InsertFlattr(ctx, f); err != nil {
					t.Fatal(err)
				}
			}
			if err := e.st.RecountThings(ctx, []app.ThingMonth{{URI: e.note, Month: last}}, e.now); err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(seed, 11))
			like := func(step int) flattrs.Received {
				a := rng.IntN(4)
				actor := fmt.Sprintf("https://q.example/u/%d", a)
				kind, n := "fffcr"[rng.IntN(5)], rng.IntN(5)
				r := flattrs.Received{
					ActivityURI: fmt.Sprintf("%s/likes/%c%d-%d", actor, kind, n, rng.IntN(2)),
					ActorURI:    actor, ObjectURI: things[n%2], At: e.now.Add(time.Duration(step-500) * time.Second),
				}
				switch kind {
				case 'f':
					r.Terms = &flattrs.Terms{Weight: 1 + rng.IntN(10), Anonymous: n == 4}
				case 'r':
					r.Reaction = "🎉"
				}
				return r
			}
			for step := range 120 {
				var err error
				switch op := rng.IntN(6); op {
				case 0:
					r := like(step)
					err = e.svc.Unliked(ctx, r.ActorURI, r.ActivityURI, "")
				case 1:
					r := like(step)
					if r.Terms != nil {
						err = e.svc.Changed(ctx, r)
					}
				default:
					batch := make([]flattrs.Received, 1+rng.IntN(8))
					for i := range batch {
						batch[i] = like(step)
					}
					_, err = e.svc.ReceiveAll(ctx, batch)
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				for _, uri := range things {
					for _, m := range []string{month, last} {
						if got, want := cachedCounts(t, e, uri, m), countedCounts(t, e, uri, m); got != want {
							t.Fatalf("step %d, %s in %s: cached %+v, counted %+v", step, uri, m, got, want)
						}
					}
				}
			}
		})
	}
}
