package statements_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/statements"
	"github.com/plaudit/plaudit/app/store/storetest"
)

const (
	base  = "https://p.example"
	carol = base + "/users/carol"
	dave  = base + "/users/dave"
	bob   = base + "/users/bob"
)

// TestStatements: closes recorded for two funders show each funder where
// the money went, and the creator their earnings by month and thing
// (flattrs counted, funders not named), the balance and what waits on
// each peer; the CSV statement holds the month's lines.
func TestStatements(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	creator := app.Account{Kind: app.AccountCreator, Key: bob}
	line := func(month, funder, activity, thing string, amount int64) app.CloseLine {
		return app.CloseLine{Month: month, FunderURI: funder, ActivityURI: activity, ThingURI: thing, RecipientURI: bob, Account: creator, Amount: amount}
	}
	for _, c := range []struct {
		fc    app.FunderClose
		lines []app.CloseLine
	}{
		{app.FunderClose{Month: "2026-10", FunderURI: carol, Amount: 200, Fee: 10, LedgerKey: "close:2026-10:carol"},
			[]app.CloseLine{line("2026-10", carol, base+"/a/1", base+"/objects/1", 190)}},
		{app.FunderClose{Month: "2026-11", FunderURI: carol, Amount: 300, LedgerKey: "close:2026-11:carol"}, []app.CloseLine{
			line("2026-11", carol, base+"/a/2", base+"/objects/1", 100),
			line("2026-11", carol, base+"/a/2", base+"/objects/1", 50), // a tip
			line("2026-11", carol, base+"/a/3", base+"/objects/2", 150),
		}},
		{app.FunderClose{Month: "2026-11", FunderURI: dave, Amount: 200, LedgerKey: "close:2026-11:dave"},
			[]app.CloseLine{line("2026-11", dave, base+"/a/4", base+"/objects/1", 200)}},
	} {
		if err := st.RecordFunderClose(ctx, c.fc, c.lines); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Post(ctx, &app.Transaction{Key: "t", Kind: "test", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -2289},
		{Account: creator, Amount: 690},
		{Account: app.Account{Kind: app.AccountCreatorPending, Key: "b.example " + bob}, Amount: 300},
		{Account: app.Account{Kind: app.AccountCreatorPending, Key: "c.example " + bob}, Amount: 200},
		{Account: app.Account{Kind: app.AccountCreatorPending, Key: "c.example " + base + "/users/bobby"}, Amount: 999},
		{Account: app.Account{Kind: app.AccountCreatorPending, Key: bob + " d.example"}, Amount: 100}, // the other order
	}}); err != nil {
		t.Fatal(err)
	}
	s := statements.New(st, st, l)
	e, err := s.Earnings(ctx, bob)
	if err != nil {
		t.Fatal(err)
	}
	if e.Balance.Minor != 690 || len(e.Months) != 2 || e.Months[0].Month != "2026-11" || e.Months[0].Total.Minor != 500 ||
		len(e.Months[0].Things) != 2 || e.Months[0].Things[0].Flattrs != 2 || e.Months[0].Things[0].Amount.Minor != 350 {
		t.Fatalf("earnings %+v", e)
	}
	if len(e.Pending) != 3 || e.Pending[0].Peer != "b.example" || e.Pending[0].Amount.Minor != 300 || e.Pending[1].Peer != "c.example" ||
		e.Pending[2].Peer != "d.example" || e.Pending[2].Amount.Minor != 100 {
		t.Fatalf("pending %+v", e.Pending)
	}
	spent, err := s.Spending(ctx, carol, "")
	if err != nil || len(spent) != 2 || spent[0].Month != "2026-11" || spent[0].Amount.Minor != 300 || len(spent[0].Lines) != 3 || spent[1].Fee.Minor != 10 {
		t.Fatalf("spending %+v, %v", spent, err)
	}
	var buf bytes.Buffer
	if err := s.WriteStatement(ctx, &buf, bob, "2026-11"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][0] != "earned" || rows[1][4] != "2" || rows[1][5] != "3.50" || strings.Contains(buf.String(), carol) {
		t.Fatalf("creator's statement %q", rows)
	}
	buf.Reset()
	if err := s.WriteStatement(ctx, &buf, carol, "2026-10"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); !strings.Contains(got, "spent,2026-10,"+base+"/objects/1,"+bob+",,1.90,EUR") || !strings.Contains(got, "fee,2026-10,,,,0.10,EUR") {
		t.Fatalf("funder's statement %q", got)
	}
	if err := s.WriteStatement(ctx, &buf, carol, "2026-13"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("bad month: %v", err)
	}
}
