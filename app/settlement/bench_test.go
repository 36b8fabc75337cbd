package settlement_test

import (
	"context"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/settlement"
)

// insertRows writes rows into table by multi-row INSERTs of 500.
func insertRows(b *testing.B, f *fixture, table, columns string, n int, row func(i int) []any) {
	b.Helper()
	cols := strings.Count(columns, ",") + 1
	ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	for start := 0; start < n; start += 500 {
		end := min(start+500, n)
		var args []any
		var vals []string
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
			vals = append(vals, ph)
		}
		if err := f.st.DB().Exec("INSERT INTO "+table+" ("+columns+") VALUES "+strings.Join(vals, ", "), args...).Error; err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReconcile: a statement of -lines lines (100,000 by default)
// from a peer, every line a Like received from it, reconciled, accepted
// and credited to the things' creators. Run it on PostgreSQL:
//
//	PLAUDIT_TEST_DATABASE_URL=… go test -run '^$' -bench Reconcile -benchtime 1x ./app/settlement/
func BenchmarkReconcile(b *testing.B) {
	const lines, things, creators = 100_000, 50_000, 5_000
	f := newFixture(b)
	ctx := context.Background()
	at := now.AddDate(0, 0, -20)
	insertRows(b, f, "things", "uri, owner_uri, owner_confirmed, kind, host, local, created_at, updated_at", things, func(i int) []any {
		return []any{fmt.Sprintf("%s/objects/b%d", base, i), fmt.Sprintf("%s/users/c%d", base, i%creators), true, app.ThingNote, "b.example", true, at, at}
	})
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		insertRows(b, f, "flattrs", "activity_uri, funder_uri, funder_key, thing_uri, owner_uri, month, weight, state, changed_at, created_at, updated_at", lines, func(i int) []any {
			funder := fmt.Sprintf("https://a.example/users/f%d-%d", n, i/10)
			return []any{fmt.Sprintf("https://a.example/activities/b%d-%d", n, i), funder, funder, fmt.Sprintf("%s/objects/b%d", base, i%things),
				fmt.Sprintf("%s/users/c%d", base, (i%things)%creators), month, 1 + i%10, app.FlattrActive, at, at, at}
		})
		b.StartTimer()
		st := &app.Statement{URI: fmt.Sprintf("https://a.example/statements/%s/b.example/%d", month, n+1), Month: month, Version: n + 1, Currency: "EUR",
			Lines: make([]app.StatementLine, lines), Document: []byte(`{}`)}
		for i := range st.Lines {
			st.Lines[i] = app.StatementLine{LikeURI: fmt.Sprintf("https://a.example/activities/b%d-%d", n, i), ThingURI: fmt.Sprintf("%s/objects/b%d", base, i%things), Amount: int64(1 + i%37)}
			st.Total += st.Lines[i].Amount
		}
		start, cpu := time.Now(), processCPU()
		got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: st, Sender: actA})
		if err != nil {
			b.Fatal(err)
		}
		if got.State != app.StatementAccepted {
			b.Fatalf("state %s: %v", got.State, got.Reasons[:min(3, len(got.Reasons))])
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/statement")
		b.ReportMetric((processCPU() - cpu).Seconds(), "cpu-s/statement")
	}
}

// processCPU is the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
