package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func newLedger(t *testing.T) (*ledger.Service, *store.Store) {
	t.Helper()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	return l, st
}

var (
	bank   = app.Account{Kind: app.AccountMoneyIn, Key: "manual"}
	carol  = app.Account{Kind: app.AccountWallet, Key: "https://p.example/users/carol"}
	dave   = app.Account{Kind: app.AccountWallet, Key: "https://p.example/users/dave"}
	bob    = app.Account{Kind: app.AccountCreator, Key: "https://p.example/users/bob"}
	fees   = app.Account{Kind: app.AccountFees, Key: "instance"}
	escrow = app.Account{Kind: app.AccountEscrow, Key: "https://m.example/users/alice"}
	peerB  = app.Account{Kind: app.AccountPayable, Key: "b.example"}
	peerC  = app.Account{Kind: app.AccountReceivable, Key: "c.example"}
	pendC  = app.Account{Kind: app.AccountCreatorPending, Key: "https://p.example/users/bob c.example"}
	out    = app.Account{Kind: app.AccountMoneyOut, Key: "payouts"}
)

func tx(key string, ps ...app.Posting) *app.Transaction {
	return &app.Transaction{Key: key, Kind: "test", Postings: ps}
}

func move(from, to app.Account, amount int64) []app.Posting {
	return []app.Posting{{Account: from, Amount: -amount}, {Account: to, Amount: amount}}
}

// TestPostIsIdempotent: a key written twice with the same postings is one
// transaction; with other postings it is a conflict; unbalanced or
// overdrawing transactions write nothing.
func TestPostIsIdempotent(t *testing.T) {
	ctx := context.Background()
	l, _ := newLedger(t)
	first, err := l.Post(ctx, tx("topup:1", move(bank, carol, 500)...))
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.Post(ctx, tx("topup:1", move(bank, carol, 500)...))
	if err != nil || again.ID != first.ID {
		t.Fatalf("second post: %+v, %v; want the first", again, err)
	}
	if _, err := l.Post(ctx, tx("topup:1", move(bank, carol, 700)...)); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("same key, other postings: %v, want conflict", err)
	}
	for name, bad := range map[string]*app.Transaction{
		"unbalanced":     tx("bad:1", app.Posting{Account: bank, Amount: -5}, app.Posting{Account: carol, Amount: 4}),
		"overdraw":       tx("bad:2", move(carol, bob, 501)...),
		"source above 0": tx("bad:3", move(carol, app.Account{Kind: app.AccountMoneyIn, Key: "stripe"}, 100)...),
		"no key":         tx("", move(bank, carol, 1)...),
		"one posting":    tx("bad:4", app.Posting{Account: carol, Amount: 0}),
		"other currency": {Key: "bad:5", Currency: "USD", Postings: move(bank, carol, 1)},
	} {
		if _, err := l.Post(ctx, bad); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if b, _ := l.Balance(ctx, carol); b.Minor != 500 {
		t.Fatalf("carol's wallet = %s, want 5.00 EUR", b)
	}
	r, err := l.Check(ctx)
	if err != nil || len(r.Violations) != 0 {
		t.Fatalf("check: %+v, %v", r, err)
	}
}

// TestConcurrentPostsOfOneKey: many workers writing one key at once make
// one transaction.
func TestConcurrentPostsOfOneKey(t *testing.T) {
	ctx := context.Background()
	l, st := newLedger(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := l.Post(ctx, tx("close:2026-11:carol", move(bank, carol, 250)...)); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent post: %v", err)
	}
	var n int64
	st.DB().Table("ledger_transactions").Count(&n)
	if b, _ := l.Balance(ctx, carol); n != 1 || b.Minor != 250 {
		t.Fatalf("%d transactions, carol %s; want one of 2.50", n, b)
	}
}

// TestLedgerRowsAreImmutable: the database refuses to change or delete a
// written posting or transaction, and the check finds a tampered cache.
func TestLedgerRowsAreImmutable(t *testing.T) {
	ctx := context.Background()
	l, st := newLedger(t)
	if _, err := l.Post(ctx, tx("topup:1", move(bank, carol, 500)...)); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"UPDATE ledger_postings SET amount = amount * 2",
		"DELETE FROM ledger_postings",
		"UPDATE ledger_transactions SET memo = 'x'",
		"DELETE FROM ledger_transactions",
	} {
		if err := st.DB().Exec(q).Error; err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	if err := st.DB().Exec("UPDATE ledger_accounts SET balance = balance + 1 WHERE kind = 'wallet'").Error; err != nil {
		t.Fatal(err)
	}
	r, err := l.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, v := range r.Violations {
		rules[v.Rule] = true
	}
	if !rules["drift"] || !rules["invariant"] {
		t.Fatalf("check after tampering found %+v, want drift and invariant", r.Violations)
	}
}

var errCrash = errors.New("crash")

// TestLedgerMatchesModel is a property test: any sequence of top-ups,
// splits, payouts, settlements, replays, conflicting replays, overdrafts
// and transactions whose surrounding work fails (a crash half-way, rolled
// back) leaves the balances a model predicts, and the check clean.
func TestLedgerMatchesModel(t *testing.T) {
	ctx := context.Background()
	accounts := []app.Account{bank, carol, dave, bob, fees, escrow, peerB, peerC, pendC, out}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			l, st := newLedger(t)
			rng := rand.New(rand.NewPCG(seed, 11))
			model := map[app.Account]int64{}
			written := map[string][]app.Posting{}
			holds := func(a app.Account, v int64) bool {
				if app.SourceKind(a.Kind) {
					return v <= 0
				}
				return v >= 0
			}
			for step := range 150 {
				var key string
				var ps []app.Posting
				if len(written) > 0 && rng.IntN(5) == 0 { // a replay
					i := 0
					for k, p := range written {
						if i == rng.IntN(len(written)) || key == "" {
							key, ps = k, p
						}
						i++
					}
					if rng.IntN(2) == 0 {
						ps = append([]app.Posting(nil), ps...)
						ps[0].Amount--
						ps[1].Amount++
					}
				} else {
					key = fmt.Sprintf("k%d", step)
					from, to := accounts[rng.IntN(len(accounts))], accounts[rng.IntN(len(accounts))]
					for to == from {
						to = accounts[rng.IntN(len(accounts))]
					}
					ps = move(from, to, 1+rng.Int64N(800))
				}
				crash := rng.IntN(6) == 0
				err := st.WithTx(ctx, func(ctx context.Context) error {
					if _, err := l.Post(ctx, &app.Transaction{Key: key, Kind: "test", Postings: ps}); err != nil {
						return err
					}
					if crash {
						return errCrash
					}
					return nil
				})
				prev, seen := written[key]
				ok := true
				for _, p := range ps {
					if !holds(p.Account, model[p.Account]+p.Amount) {
						ok = false
					}
				}
				switch {
				case seen && !sameMoves(prev, ps):
					if app.ErrorCode(err) != app.ECONFLICT {
						t.Fatalf("step %d: replay of %s with other postings: %v, want conflict", step, key, err)
					}
				case seen:
					if err != nil && !errors.Is(err, errCrash) {
						t.Fatalf("step %d: replay of %s: %v", step, key, err)
					}
				case !ok:
					if app.ErrorCode(err) != app.EINVALID {
						t.Fatalf("step %d: overdraft %v: %v, want invalid", step, ps, err)
					}
				case crash:
					if !errors.Is(err, errCrash) {
						t.Fatalf("step %d: %v", step, err)
					}
				default:
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					for _, p := range ps {
						model[p.Account] += p.Amount
					}
					written[key] = ps
				}
			}
			for _, a := range accounts {
				if b, err := l.Balance(ctx, a); err != nil || b.Minor != model[a] {
					t.Errorf("%s = %v (%v), model %d", a, b, err, model[a])
				}
			}
			r, err := l.Check(ctx)
			if err != nil || len(r.Violations) != 0 {
				t.Fatalf("check: %+v, %v", r, err)
			}
		})
	}
}

func sameMoves(a, b []app.Posting) bool {
	x := &app.Transaction{Postings: a}
	return x.SamePostings(&app.Transaction{Postings: b})
}
