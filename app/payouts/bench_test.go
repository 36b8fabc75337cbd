package payouts_test

import (
	"context"
	"flag"
	"fmt"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/payouts"
)

var benchCreators = flag.Int("bench-creators", 1000, "creators due in BenchmarkPayoutRun")

// BenchmarkPayoutRun times a manual payout run over -bench-creators
// creators due, each with details (one transaction per creator), and the
// ledger check after it. Run it with -benchtime=1x.
func BenchmarkPayoutRun(b *testing.B) {
	ctx := context.Background()
	for range b.N {
		b.StopTimer()
		f := newFixture(b)
		s, err := payouts.New(payouts.Deps{Tx: f.st, Store: f.st, Balances: f.st, Ledger: f.ledger, Provider: payouts.Manual{}, Threshold: eur(1000)})
		if err != nil {
			b.Fatal(err)
		}
		for i := range *benchCreators {
			uri := fmt.Sprintf("https://p.example/users/b%06d", i)
			if _, err := f.ledger.Post(ctx, &app.Transaction{Key: "earn:" + uri, Kind: "test", Postings: []app.Posting{
				{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -1500},
				{Account: app.Account{Kind: app.AccountCreator, Key: uri}, Amount: 1500},
			}}); err != nil {
				b.Fatal(err)
			}
			if _, err := s.SetDetails(ctx, uri, app.PayoutDetails{Name: "B", IBAN: goodIBAN}); err != nil {
				b.Fatal(err)
			}
		}
		b.StartTimer()
		res, err := s.Run(ctx)
		if err != nil || len(res.Batch.Payouts) != *benchCreators {
			b.Fatalf("run: %v", err)
		}
		b.StopTimer()
		r, err := f.ledger.Check(ctx)
		if err != nil || len(r.Violations) != 0 {
			b.Fatalf("check: %+v, %v", r, err)
		}
	}
}
