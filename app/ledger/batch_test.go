package ledger_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/plaudit/plaudit/app"
)

// TestPostAllMatchesModel is a property test of batches: any sequence of
// batches of new transactions, replays, conflicting replays and
// overdrafts either writes the whole batch (replays changing nothing) or,
// on a conflict or an overdraft in the batch's order, nothing of it; the
// balances follow a model and the check stays clean.
func TestPostAllMatchesModel(t *testing.T) {
	ctx := context.Background()
	accounts := []app.Account{bank, carol, dave, bob, fees, escrow, peerB, peerC, pendC, out}
	holds := func(a app.Account, v int64) bool {
		if app.SourceKind(a.Kind) {
			return v <= 0
		}
		return v >= 0
	}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			l, _ := newLedger(t)
			rng := rand.New(rand.NewPCG(seed, 17))
			model := map[app.Account]int64{}
			written := map[string][]app.Posting{}
			var keys []string
			next := 0
			for step := range 60 {
				var batch []*app.Transaction
				for range 1 + rng.IntN(8) {
					if len(keys) > 0 && rng.IntN(4) == 0 {
						key := keys[rng.IntN(len(keys))]
						ps := append([]app.Posting(nil), written[key]...)
						if rng.IntN(3) == 0 {
							ps[0].Amount--
							ps[1].Amount++
						}
						batch = append(batch, &app.Transaction{Key: key, Kind: "test", Postings: ps})
						continue
					}
					from, to := accounts[rng.IntN(len(accounts))], accounts[rng.IntN(len(accounts))]
					if rng.IntN(2) == 0 {
						from = bank // mostly money coming in, so batches can pass
					}
					for to == from {
						to = accounts[rng.IntN(len(accounts))]
					}
					next++
					batch = append(batch, tx(fmt.Sprintf("k%d", next), move(from, to, 1+rng.Int64N(300))...))
				}
				want, conflict, overdraft := copyModel(model), false, false
				for _, t := range batch {
					if prev, seen := written[t.Key]; seen {
						conflict = conflict || !sameMoves(prev, t.Postings)
						continue
					}
					for _, p := range t.Postings {
						want[p.Account] += p.Amount
						overdraft = overdraft || !holds(p.Account, want[p.Account])
					}
				}
				_, err := l.PostAll(ctx, batch)
				switch {
				case conflict:
					if app.ErrorCode(err) != app.ECONFLICT {
						t.Fatalf("step %d: batch with a conflicting replay: %v, want conflict", step, err)
					}
				case overdraft:
					if app.ErrorCode(err) != app.EINVALID {
						t.Fatalf("step %d: batch with an overdraft: %v, want invalid", step, err)
					}
				default:
					if err != nil {
						t.Fatalf("step %d: %v", step, err)
					}
					model = want
					for _, t := range batch {
						if _, seen := written[t.Key]; !seen {
							written[t.Key] = t.Postings
							keys = append(keys, t.Key)
						}
					}
				}
				for _, a := range accounts {
					if b, err := l.Balance(ctx, a); err != nil || b.Minor != model[a] {
						t.Fatalf("step %d: %s = %v (%v), model %d", step, a, b, err, model[a])
					}
				}
			}
			if len(keys) == 0 {
				t.Fatal("no batch was written")
			}
			r, err := l.Check(ctx)
			if err != nil || len(r.Violations) != 0 {
				t.Fatalf("check: %+v, %v", r, err)
			}
			for _, key := range keys[:min(len(keys), 5)] {
				again, err := l.PostAll(ctx, []*app.Transaction{tx(key, written[key]...)})
				if err != nil || again[0].Key != key || again[0].ID == 0 {
					t.Fatalf("replay of %s alone: %+v, %v", key, again, err)
				}
			}
		})
	}
}

func copyModel(m map[app.Account]int64) map[app.Account]int64 {
	out := make(map[app.Account]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestCheckFindsNegativeAndForeign: the check's aggregate queries name an
// account below zero and one in another currency.
func TestCheckFindsNegativeAndForeign(t *testing.T) {
	ctx := context.Background()
	l, st := newLedger(t)
	if _, err := l.PostAll(ctx, []*app.Transaction{tx("topup:1", move(bank, carol, 500)...), tx("split:1", move(carol, bob, 200)...)}); err != nil {
		t.Fatal(err)
	}
	if r, err := l.Check(ctx); err != nil || len(r.Violations) != 0 || r.Accounts != 3 || r.ByKind[app.AccountWallet] != 300 {
		t.Fatalf("check: %+v, %v", r, err)
	}
	for _, q := range []string{
		"UPDATE ledger_accounts SET balance = -1 WHERE kind = 'creator'",
		"INSERT INTO ledger_accounts (kind, key, currency, balance, updated_at) VALUES ('fees', 'instance', 'USD', 0, CURRENT_TIMESTAMP)",
	} {
		if err := st.DB().Exec(q).Error; err != nil {
			t.Fatal(err)
		}
	}
	r, err := l.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, v := range r.Violations {
		rules[v.Rule] = true
	}
	if !rules["negative"] || !rules["currency"] || !rules["drift"] || r.Accounts != 4 {
		t.Fatalf("check after tampering: %d accounts, %+v", r.Accounts, r.Violations)
	}
}
