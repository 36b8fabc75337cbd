package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// BenchmarkCountThings compares, for a thing with a history of flattrs,
// what keeping its counts costs a batch of 32 new flattrs: a recount from
// its rows (what the inbox's batches did before) against moving the
// counts by the batch's changes. Each iteration adds the batch's flattrs
// and counts them in one transaction.
//
//	go test -run '^$' -bench CountThings -benchtime 200x ./app/store/
//	PLAUDIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/plaudit_test?sslmode=disable go test -run '^$' -bench CountThings -benchtime 200x ./app/store/
func BenchmarkCountThings(b *testing.B) {
	for _, history := range []int{100, 10_000} {
		for _, way := range []string{"recount", "move"} {
			b.Run(fmt.Sprintf("history=%d/%s", history, way), func(b *testing.B) { benchCountThings(b, history, way == "move") })
		}
	}
}

func benchCountThings(b *testing.B, history int, move bool) {
	ctx := context.Background()
	s := storetest.Open(b)
	now := time.Now().UTC()
	month := app.MonthOf(now)
	thing := "https://p.example/objects/popular"
	if err := s.UpsertThing(ctx, &app.Thing{URI: thing, Kind: app.ThingNote, Host: "p.example", Local: true}); err != nil {
		b.Fatal(err)
	}
	flattr := func(n int) *app.Flattr {
		return &app.Flattr{ActivityURI: fmt.Sprintf("https://f.example/likes/%d", n), FunderURI: fmt.Sprintf("https://f.example/users/%d", n),
			ThingURI: thing, Month: month, Weight: 1 + n%10, State: app.FlattrActive, ChangedAt: now, CreatedAt: now}
	}
	for start := 0; start < history; start += 500 {
		var fs []*app.Flattr
		for n := start; n < min(start+500, history); n++ {
			fs = append(fs, flattr(n))
		}
		if _, err := s.InsertFlattrs(ctx, fs); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.RecountThings(ctx, []app.ThingMonth{{URI: thing, Month: month}}, now); err != nil {
		b.Fatal(err)
	}
	if s.Dialect() == store.Postgres {
		// As autovacuum would: the planner then knows the thing is popular.
		if err := s.DB().Exec("ANALYZE flattrs").Error; err != nil {
			b.Fatal(err)
		}
	}
	next := history
	b.ResetTimer()
	for range b.N {
		fs := make([]*app.Flattr, 32)
		for i := range fs {
			fs[i] = flattr(next)
			next++
		}
		err := s.WithTx(ctx, func(ctx context.Context) error {
			if _, err := s.InsertFlattrs(ctx, fs); err != nil {
				return err
			}
			if !move {
				return s.RecountThings(ctx, []app.ThingMonth{{URI: thing, Month: month}}, now)
			}
			changes := make([]app.CountChange, len(fs))
			for i, f := range fs {
				changes[i] = app.CountChange{URI: thing, Month: month, Flattrs: 1, Weight: int64(f.Weight), FunderKey: f.Key()}
			}
			return s.CountThings(ctx, nil, changes, now)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	c, err := s.ThingCounts(ctx, thing, month)
	if err != nil {
		b.Fatal(err)
	}
	if want := int64(next); c.FlattrsMonth != want || c.Funders != want {
		b.Fatalf("counts %+v, want %d flattrs and funders", c, want)
	}
}
