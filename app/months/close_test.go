package months_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/months"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/app/things"
)

const base = "https://p.example"

type urls struct{}

func (urls) IsLocal(uri string) bool { return strings.HasPrefix(uri, base+"/") }
func (urls) Host() string            { return "p.example" }

// peers settle with b.example only.
type peers struct{}

func (peers) SettlesWith(_ context.Context, host string) (bool, error) {
	return host == "b.example", nil
}

const month = "2026-11"

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

type fixture struct {
	st     *store.Store
	ledger *ledger.Service
	things *things.Service
}

// newFixture makes a store with funders, wallets, things and flattrs: the
// same every time.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	th := things.New(things.Deps{Tx: st, Store: st, Recipients: st, URLs: urls{}})
	f := &fixture{st: st, ledger: l, things: th}
	bob, erin := base+"/users/bob", base+"/users/erin"
	thingList := []*app.Thing{
		{URI: base + "/objects/bob-1", OwnerURI: bob, OwnerConfirmed: true, Kind: app.ThingNote, Host: "p.example", Local: true},
		{URI: base + "/objects/bob-2", OwnerURI: bob, OwnerConfirmed: true, Kind: app.ThingArticle, Host: "p.example", Local: true},
		{URI: base + "/objects/duo", OwnerURI: bob, OwnerConfirmed: true, Kind: app.ThingNote, Host: "p.example", Local: true},
		{URI: "https://b.example/objects/1", OwnerURI: "https://b.example/users/zoe", OwnerConfirmed: true, Kind: app.ThingNote, Host: "b.example"},
		{URI: "https://m.example/statuses/1", OwnerURI: "https://m.example/users/alice", OwnerConfirmed: true, Kind: app.ThingNote, Host: "m.example"},
		{URI: "https://blog.example/post", Kind: app.ThingLink, Host: "blog.example"},
	}
	for _, th := range thingList {
		if err := st.UpsertThing(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	if err := th.SetRecipients(ctx, bob, base+"/objects/duo", []app.Recipient{{RecipientURI: bob, Share: 70}, {RecipientURI: erin, Share: 30}}); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)
	// Tips by (funder, thing): funder03's fits in what its wallet holds
	// beyond the budget; of funder07's, the first in thing order fits and
	// the second does not.
	tips := map[[2]int]int64{{3, 5}: 10, {7, 3}: 300, {7, 0}: 700}
	for i := range 12 {
		funder := fmt.Sprintf("%s/users/funder%02d", base, i)
		if i%5 != 4 { // every fifth funder has an empty wallet
			topup := int64(100 + 137*i)
			if _, err := l.Post(ctx, &app.Transaction{Key: fmt.Sprintf("topup:%d", i), Kind: "topup", Postings: []app.Posting{
				{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -topup},
				{Account: app.Account{Kind: app.AccountWallet, Key: funder}, Amount: topup},
			}}); err != nil {
				t.Fatal(err)
			}
		}
		if i%3 == 0 {
			if err := st.SetBudget(ctx, funder, app.Money{Minor: 500, Currency: "EUR"}); err != nil {
				t.Fatal(err)
			}
		}
		for j, th := range thingList {
			if (i+j)%3 == 0 {
				continue
			}
			fl := &app.Flattr{ActivityURI: fmt.Sprintf("%s/activities/%d-%d", base, i, j), FunderURI: funder, ThingURI: th.URI,
				OwnerURI: th.OwnerURI, Month: month, Weight: 1 + (i*j)%10, Tip: tips[[2]int{i, j}], Local: true, State: app.FlattrActive, CreatedAt: created}
			if _, err := st.InsertFlattr(ctx, fl); err != nil {
				t.Fatal(err)
			}
		}
	}
	return f
}

func (f *fixture) service(l months.Ledger, st months.Store, owner string) *months.Service {
	return months.New(months.Deps{Tx: f.st, Store: st, Ledger: l, Things: f.things, Peers: peers{}, URLs: urls{},
		MinBudget: app.Money{Minor: 200, Currency: "EUR"}, FeePercent: 5, GraceDays: 3, Owner: owner,
		Now: func() time.Time { return now }})
}

// balances are every account's balance, as text, for comparing ledgers.
func (f *fixture) balances(t *testing.T) string {
	t.Helper()
	r, err := f.ledger.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) != 0 {
		t.Fatalf("ledger check: %v", r.Violations)
	}
	var rows []struct {
		Kind, Key string
		Balance   int64
	}
	if err := f.st.DB().Raw("SELECT kind, key, balance FROM ledger_accounts ORDER BY kind, key").Scan(&rows).Error; err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s:%s=%d\n", r.Kind, r.Key, r.Balance)
	}
	var n int64
	f.st.DB().Table("month_close_lines").Count(&n)
	fmt.Fprintf(&b, "lines=%d\n", n)
	return b.String()
}

// TestCloseSplitsBudgets: the clean close takes min(budget, wallet) from
// each funder, gives the fee to the instance, splits the rest by weight and
// co-creator shares to creators, the peer's payable and escrow, with every
// cent accounted for.
func TestCloseSplitsBudgets(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	svc := f.service(f.ledger, f.st, "w1")
	c, err := svc.Close(ctx, month, false, nil)
	if err != nil || c.Stage != app.CloseDone {
		t.Fatalf("close = %+v, %v", c, err)
	}
	got := f.balances(t)
	for _, want := range []string{
		"creator:" + base + "/users/bob=", "creator:" + base + "/users/erin=", "payable:b.example=",
		"escrow:https://m.example/users/alice=", "escrow:https://blog.example/post=", "fees:instance=",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %s… after the close:\n%s", want, got)
		}
	}
	// funder00: budget 5.00 but only 1.00 in the wallet → all of it.
	if b, _ := f.ledger.Balance(ctx, app.Account{Kind: app.AccountWallet, Key: base + "/users/funder00"}); b.Minor != 0 {
		t.Errorf("funder00's wallet = %s, want empty", b)
	}
	// funder01: no budget → the minimum, 2.00, out of 2.37.
	if b, _ := f.ledger.Balance(ctx, app.Account{Kind: app.AccountWallet, Key: base + "/users/funder01"}); b.Minor != 37 {
		t.Errorf("funder01's wallet = %s, want 0.37 left", b)
	}
	// Tips: funder03 pays 5.00 + 0.10 out of 5.11; funder07 2.00 + 3.00,
	// and not the 7.00 that would not fit, out of 10.59.
	for funder, want := range map[string]int64{"funder03": 1, "funder07": 559} {
		if b, _ := f.ledger.Balance(ctx, app.Account{Kind: app.AccountWallet, Key: base + "/users/" + funder}); b.Minor != want {
			t.Errorf("%s's wallet = %d after the close, want %d", funder, b.Minor, want)
		}
	}
	again, err := svc.Close(ctx, month, false, nil)
	if err != nil || again.Stage != app.CloseDone || f.balances(t) != got {
		t.Fatalf("a second close changed the ledger (%v)", err)
	}
	if _, err := svc.Close(ctx, "2026-12", false, nil); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("closing the running month without early: %v, want invalid", err)
	}
	if _, err := svc.Close(ctx, "2027-01", true, nil); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("closing a month not begun: %v, want invalid", err)
	}
}

var errCrash = errors.New("crash")

// crash fails the at-th call, counting every call of the close to its
// store, ledger and things (0: none fails).
type crash struct {
	mu    sync.Mutex
	n, at int
}

func (c *crash) next() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	if c.n == c.at {
		return errCrash
	}
	return nil
}

type crashingLedger struct {
	months.Ledger
	*crash
}

func (c crashingLedger) Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Ledger.Post(ctx, t)
}

func (c crashingLedger) PostAll(ctx context.Context, ts []*app.Transaction) ([]*app.Transaction, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Ledger.PostAll(ctx, ts)
}

func (c crashingLedger) Balances(ctx context.Context, kind string, keys []string) (map[string]app.Money, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Ledger.Balances(ctx, kind, keys)
}

type crashingStore struct {
	months.Store
	*crash
}

func (c crashingStore) TakeClose(ctx context.Context, month, owner string, now, leaseUntil time.Time) (*app.MonthClose, bool, error) {
	if err := c.next(); err != nil {
		return nil, false, err
	}
	return c.Store.TakeClose(ctx, month, owner, now, leaseUntil)
}

func (c crashingStore) FundersToClose(ctx context.Context, month string, cutoff time.Time, after string, limit int) ([]string, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Store.FundersToClose(ctx, month, cutoff, after, limit)
}

func (c crashingStore) ClosedAmong(ctx context.Context, month string, funders []string) (map[string]bool, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Store.ClosedAmong(ctx, month, funders)
}

func (c crashingStore) BudgetsOf(ctx context.Context, funders []string) (map[string]app.Money, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Store.BudgetsOf(ctx, funders)
}

func (c crashingStore) FlattrsOfFunders(ctx context.Context, month string, cutoff time.Time, funders []string) ([]app.Flattr, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Store.FlattrsOfFunders(ctx, month, cutoff, funders)
}

func (c crashingStore) RecordFunderCloses(ctx context.Context, fcs []app.FunderClose, lines []app.CloseLine) error {
	if err := c.next(); err != nil {
		return err
	}
	return c.Store.RecordFunderCloses(ctx, fcs, lines)
}

func (c crashingStore) FinishClose(ctx context.Context, month string, funders int64, at time.Time) error {
	if err := c.next(); err != nil {
		return err
	}
	return c.Store.FinishClose(ctx, month, funders, at)
}

type crashingThings struct {
	months.Things
	*crash
}

func (c crashingThings) ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Things.ByURIs(ctx, uris)
}

func (c crashingThings) RecipientsOfThings(ctx context.Context, ts []*app.Thing) (map[string][]app.Recipient, error) {
	if err := c.next(); err != nil {
		return nil, err
	}
	return c.Things.RecipientsOfThings(ctx, ts)
}

// crashingService is f's close of pages of pageSize funders whose at-th
// call to its store, ledger or things fails.
func (f *fixture) crashingService(at, pageSize int) (*months.Service, *crash) {
	c := &crash{at: at}
	return months.New(months.Deps{Tx: f.st, Store: crashingStore{f.st, c}, Ledger: crashingLedger{f.ledger, c}, Things: crashingThings{f.things, c},
		Peers: peers{}, URLs: urls{}, MinBudget: app.Money{Minor: 200, Currency: "EUR"}, FeePercent: 5, GraceDays: 3, Owner: "w1",
		PageSize: pageSize, Now: func() time.Time { return now }}), c
}

// TestCloseResumesAfterACrash: a close in pages that crashes at any call
// to its store, ledger or things (before, inside or after a page), then
// runs again, ends with the same ledger and close lines as one clean run;
// so does a crash of the lease holder (its lease runs out) and two
// workers closing at once.
func TestCloseResumesAfterACrash(t *testing.T) {
	ctx := context.Background()
	clean := newFixture(t)
	if _, err := clean.service(clean.ledger, clean.st, "w").Close(ctx, month, false, nil); err != nil {
		t.Fatal(err)
	}
	want := clean.balances(t)
	// Count the calls of a clean close in pages of 5 funders (12 funders:
	// three pages), then crash at each of them.
	counting := newFixture(t)
	svc, c := counting.crashingService(0, 5)
	if _, err := svc.Close(ctx, month, false, nil); err != nil {
		t.Fatal(err)
	}
	if got := counting.balances(t); got != want {
		t.Fatalf("ledger of a close in pages:\n%s\nwant:\n%s", got, want)
	}
	calls := c.n
	for at := 1; at <= calls; at++ {
		t.Run(fmt.Sprintf("call-%d", at), func(t *testing.T) {
			f := newFixture(t)
			crashing, _ := f.crashingService(at, 5)
			if _, err := crashing.Close(ctx, month, false, nil); !errors.Is(err, errCrash) {
				t.Fatalf("crashing close: %v", err)
			}
			if _, err := f.service(f.ledger, f.st, "w1").Close(ctx, month, false, nil); err != nil {
				t.Fatal(err)
			}
			if got := f.balances(t); got != want {
				t.Fatalf("ledger after crash and rerun:\n%s\nwant:\n%s", got, want)
			}
		})
	}
	t.Run("two workers", func(t *testing.T) {
		f := newFixture(t)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.service(f.ledger, f.st, fmt.Sprintf("w%d", i)).Close(ctx, month, false, nil)
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && !errors.Is(err, months.ErrBusy) {
				t.Fatal(err)
			}
		}
		if errs[0] != nil && errs[1] != nil {
			t.Fatal("neither worker closed the month")
		}
		if got := f.balances(t); got != want {
			t.Fatalf("ledger after two workers:\n%s\nwant:\n%s", got, want)
		}
	})
}

// TestSplitOfOneFunder: the lines of one funder add up to what left the
// wallet less the fee, and follow the weights.
func TestSplitOfOneFunder(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	if _, err := f.service(f.ledger, f.st, "w").Close(ctx, month, false, nil); err != nil {
		t.Fatal(err)
	}
	lines, err := f.st.CloseLines(ctx, month)
	if err != nil {
		t.Fatal(err)
	}
	byFunder := map[string]int64{}
	for _, l := range lines {
		byFunder[l.FunderURI] += l.Amount
	}
	var rows []app.FunderClose
	if err := f.st.DB().Table("month_close_funders").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].FunderURI < rows[j].FunderURI })
	if len(rows) != 12 {
		t.Fatalf("%d funders closed, want 12", len(rows))
	}
	for _, r := range rows {
		if byFunder[r.FunderURI] != r.Amount-r.Fee || r.Fee != r.Amount*5/100 {
			t.Errorf("%s: amount %d, fee %d, lines %d", r.FunderURI, r.Amount, r.Fee, byFunder[r.FunderURI])
		}
	}
}

// TestEscrowReturns: escrow older than the holding period goes back to
// the funders to the cent, once however often the return runs; younger
// escrow stays.
func TestEscrowReturns(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	svc := f.service(f.ledger, f.st, "w")
	if _, err := svc.Close(ctx, month, false, nil); err != nil {
		t.Fatal(err)
	}
	escrowed := func() int64 {
		var n int64
		f.st.DB().Raw("SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE kind = 'escrow'").Scan(&n)
		return n
	}
	wallets := func() int64 {
		var n int64
		f.st.DB().Raw("SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts WHERE kind = 'wallet'").Scan(&n)
		return n
	}
	held, before := escrowed(), wallets()
	if held == 0 {
		t.Fatal("the fixture put nothing in escrow")
	}
	if n, err := svc.ReturnEscrow(ctx, f.st, 6); err != nil || n != 0 || escrowed() != held {
		t.Fatalf("escrow of last month returned after 6 months: %d, %v", n, err)
	}
	later := months.New(months.Deps{Tx: f.st, Store: f.st, Ledger: f.ledger, Things: f.things, URLs: urls{},
		MinBudget: app.Money{Minor: 200, Currency: "EUR"}, Now: func() time.Time { return now.AddDate(0, 7, 0) }})
	for range 2 {
		if _, err := later.ReturnEscrow(ctx, f.st, 6); err != nil {
			t.Fatal(err)
		}
	}
	if escrowed() != 0 || wallets() != before+held {
		t.Fatalf("after the return: escrow %d, wallets %d; want 0 and %d", escrowed(), wallets(), before+held)
	}
	f.balances(t) // the ledger check passes
}
