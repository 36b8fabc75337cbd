package payouts_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/payouts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

var (
	errCrash = errors.New("crash")
	now      = time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	eur      = func(m int64) app.Money { return app.Money{Minor: m, Currency: "EUR"} }
)

func creator(i int) string { return fmt.Sprintf("https://p.example/users/c%02d", i) }

type fixture struct {
	st     *store.Store
	ledger *ledger.Service
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, ledger: l}
}

// earn gives creator i amount, as a month close would.
func (f *fixture) earn(t *testing.T, i int, amount int64, key string) {
	t.Helper()
	if amount == 0 {
		return
	}
	if _, err := f.ledger.Post(context.Background(), &app.Transaction{Key: key, Kind: "test", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -amount},
		{Account: app.Account{Kind: app.AccountCreator, Key: creator(i)}, Amount: amount},
	}}); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) service(t *testing.T, st payouts.Store, l payouts.Ledger, p payouts.Provider) *payouts.Service {
	t.Helper()
	s, err := payouts.New(payouts.Deps{Tx: f.st, Store: st, Balances: f.st, Ledger: l, Provider: p, Threshold: eur(1000),
		Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) balance(t *testing.T, a app.Account) int64 {
	t.Helper()
	b, err := f.ledger.Balance(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return b.Minor
}

func (f *fixture) check(t *testing.T) *ledger.Report {
	t.Helper()
	r, err := f.ledger.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 0 {
		t.Fatalf("ledger check: %v", r.Violations)
	}
	return r
}

const (
	goodIBAN = "DE89 3704 0044 0532 0130 00"
	badIBAN  = "DE89 3704 0044 0532 0130 01"
)

// TestManualPayoutRun: creators at or above the threshold with an IBAN
// are paid in one batch; a rerun pays nobody twice; a failed payout's
// money returns; marking the batch paid twice changes nothing.
func TestManualPayoutRun(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(t, f.st, f.ledger, payouts.Manual{})
	for i, amount := range []int64{1500, 999, 1000, 2500, 4000} {
		f.earn(t, i, amount, fmt.Sprint("earn:", i))
	}
	for _, i := range []int{0, 1, 2, 4} {
		if _, err := s.SetDetails(ctx, creator(i), app.PayoutDetails{Name: fmt.Sprint("Creator ", i), IBAN: goodIBAN}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b := res.Batch
	if b.State != app.BatchOpen || len(b.Payouts) != 3 || b.Total() != 6500 || len(res.Waiting) != 1 || res.Waiting[0] != creator(3) {
		t.Fatalf("run: batch %+v, waiting %v", b, res.Waiting)
	}
	for _, p := range b.Payouts {
		if len(p.Key) > 35 || p.Key != payouts.PayoutKey(b.ID, p.CreatorURI) || p.Details.IBAN != "DE89370400440532013000" {
			t.Errorf("payout %+v", p)
		}
	}
	again, err := s.Run(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Batch.Payouts) != 0 || again.Batch.State != app.BatchPaid || again.Batch.ID == b.ID {
		t.Fatalf("rerun made %+v", again.Batch)
	}
	if got := f.balance(t, payouts.InFlight("manual")); got != 6500 {
		t.Fatalf("in flight %d, want 6500", got)
	}
	if _, err := s.Fail(ctx, b.ID, creator(4), "account closed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Fail(ctx, b.ID, creator(4), "account closed"); err != nil {
		t.Fatalf("failing twice: %v", err)
	}
	if got := f.balance(t, app.Account{Kind: app.AccountCreator, Key: creator(4)}); got != 4000 {
		t.Fatalf("c04 has %d after the failed payout, want 4000 back", got)
	}
	for range 2 {
		paid, err := s.MarkPaid(ctx, b.ID, "bank-2026-12-11")
		if err != nil {
			t.Fatal(err)
		}
		if paid.State != app.BatchPaid || paid.Ref != "bank-2026-12-11" {
			t.Fatalf("paid batch %+v", paid)
		}
	}
	if _, err := s.Fail(ctx, b.ID, creator(0), "too late"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("failing a paid payout: %v, want invalid", err)
	}
	if in, out := f.balance(t, payouts.InFlight("manual")), f.balance(t, payouts.PaidOut("manual")); in != 0 || out != 2500 {
		t.Fatalf("in flight %d, paid out %d; want 0 and 2500", in, out)
	}
	for _, bad := range []struct{ id, ref string }{{"nope", "x"}, {b.ID, " "}} {
		if _, err := s.MarkPaid(ctx, bad.id, bad.ref); err == nil {
			t.Errorf("mark %q paid with ref %q: no error", bad.id, bad.ref)
		}
	}
	if _, err := s.Batch(ctx, "B1999"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("unknown batch: %v", err)
	}
	f.check(t)
}

// TestPayoutDetails: an IBAN with wrong check digits, a bad BIC, a name
// too long or details without an account are refused and nothing is
// written; good details are stored normalised.
func TestPayoutDetails(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(t, f.st, f.ledger, payouts.Manual{})
	long := make([]byte, 71)
	for i := range long {
		long[i] = 'a'
	}
	for name, d := range map[string]app.PayoutDetails{
		"checksum":    {Name: "Bob", IBAN: badIBAN},
		"short":       {Name: "Bob", IBAN: "DE89"},
		"no name":     {IBAN: goodIBAN},
		"bad bic":     {Name: "Bob", IBAN: goodIBAN, BIC: "ABC"},
		"long name":   {Name: string(long), IBAN: goodIBAN},
		"nothing":     {Name: "Bob"},
		"bad account": {StripeAccount: "acct 1"},
		"bic alone":   {StripeAccount: "acct_1Plaudit", BIC: "COBADEFFXXX"},
	} {
		if _, err := s.SetDetails(ctx, creator(1), d); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if _, err := s.Details(ctx, creator(1)); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("refused details were written: %v", err)
	}
	d, err := s.SetDetails(ctx, creator(1), app.PayoutDetails{Name: "  Bob  Marley ", IBAN: "gb82 west 1234 5698 7654 32", BIC: "westgb2l"})
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "Bob Marley" || d.IBAN != "GB82WEST12345698765432" || d.BIC != "WESTGB2L" {
		t.Fatalf("stored %+v", d)
	}
	if _, err := payouts.New(payouts.Deps{Ledger: f.ledger, Provider: payouts.Manual{}, Threshold: eur(0)}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("zero threshold: %v", err)
	}
	if _, err := payouts.New(payouts.Deps{Ledger: f.ledger, Provider: payouts.Manual{}, Threshold: eur(-5)}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("negative threshold: %v", err)
	}
}

// TestConcurrentRuns: two runs at once pay each creator once.
func TestConcurrentRuns(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	s := f.service(t, f.st, f.ledger, payouts.Manual{})
	for i := range 6 {
		f.earn(t, i, 1000+int64(i), fmt.Sprint("earn:", i))
		if _, err := s.SetDetails(ctx, creator(i), app.PayoutDetails{Name: "C", IBAN: goodIBAN}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Run(ctx); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int64
	f.st.DB().Table("payouts").Count(&n)
	if n != 6 || f.balance(t, payouts.InFlight("manual")) != 6015 {
		t.Fatalf("%d payouts, %d in flight; want 6 and 60.15", n, f.balance(t, payouts.InFlight("manual")))
	}
	f.check(t)
}

// TestCSVExport: a batch as CSV has one line per payout with decimal
// amounts, and a name typed like a formula cannot run in a spreadsheet.
func TestCSVExport(t *testing.T) {
	b := &app.PayoutBatch{ID: "B1", Currency: "EUR", Payouts: []app.Payout{
		{Key: "B1-a", CreatorURI: creator(1), Amount: eur(1005), State: app.PayoutPending, Details: app.PayoutDetails{Name: "=HYPERLINK(\"x\")", IBAN: "DE89370400440532013000"}},
	}}
	var buf strings.Builder
	if err := payouts.WriteCSV(&buf, b); err != nil {
		t.Fatal(err)
	}
	want := "batch,payout,creator,name,iban,bic,stripe_account,amount,currency,state,ref,reason\n" +
		"B1,B1-a," + creator(1) + ",\"'=HYPERLINK(\"\"x\"\")\",DE89370400440532013000,,,10.05,EUR,pending,,\n"
	if buf.String() != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", buf.String(), want)
	}
}
