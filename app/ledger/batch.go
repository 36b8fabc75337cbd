package ledger

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// PostAll writes many transactions as Post writes each, in a few
// statements, all or nothing: a key written before with the same
// postings changes nothing, with other postings it is app.ECONFLICT (and
// nothing of the batch is written); a transaction that would leave an
// account of a holding kind below zero (or a source account above it),
// taken in order, is app.EINVALID. It joins the transaction ctx carries.
// It returns the stored transactions, in the order of ts.
func (s *Service) PostAll(ctx context.Context, ts []*app.Transaction) ([]*app.Transaction, error) {
	seen := make(map[string]*app.Transaction, len(ts))
	fresh := make([]*app.Transaction, 0, len(ts))
	for _, t := range ts {
		if t.Currency == "" {
			t.Currency = s.currency
		}
		if t.Currency != s.currency {
			return nil, app.Errorf(app.EINVALID, "transaction %s is in %s; this ledger keeps %s", t.Key, t.Currency, s.currency)
		}
		if err := t.Check(); err != nil {
			return nil, err
		}
		if first, dup := seen[t.Key]; dup {
			if !first.SamePostings(t) {
				return nil, app.Errorf(app.ECONFLICT, "ledger transaction %s is twice in one batch with other postings", t.Key)
			}
			continue
		}
		seen[t.Key] = t
		fresh = append(fresh, t)
	}
	err := s.tx.WithTx(ctx, func(ctx context.Context) error {
		inserted, existing, after, err := s.store.InsertTransactions(ctx, fresh)
		if err != nil {
			return err
		}
		for i, t := range fresh {
			if inserted[i] {
				continue
			}
			stored := existing[t.Key]
			if stored == nil || !stored.SamePostings(t) {
				return app.Errorf(app.ECONFLICT, "ledger transaction %s was written with other postings; a correction needs a new key", t.Key)
			}
			seen[t.Key] = stored
		}
		return checkSigns(fresh, inserted, after)
	})
	if err != nil {
		return nil, fmt.Errorf("post %d transactions: %w", len(fresh), err)
	}
	out := make([]*app.Transaction, len(ts))
	for i, t := range ts {
		out[i] = seen[t.Key]
	}
	return out, nil
}

// checkSigns replays the inserted transactions from the balances before
// the batch (after, less the batch's postings) and refuses the first that
// leaves an account on the wrong side of zero.
func checkSigns(ts []*app.Transaction, inserted []bool, after []app.Balance) error {
	balance := make(map[app.Account]int64, len(after))
	for _, b := range after {
		balance[b.Account] = b.Money.Minor
	}
	for i, t := range ts {
		if inserted[i] {
			for _, p := range t.Postings {
				balance[p.Account] -= p.Amount
			}
		}
	}
	for i, t := range ts {
		if !inserted[i] {
			continue
		}
		for _, p := range t.Postings {
			balance[p.Account] += p.Amount
			b := app.Balance{Account: p.Account, Money: app.Money{Minor: balance[p.Account], Currency: t.Currency}}
			if err := checkSign(b); err != nil {
				return fmt.Errorf("transaction %s: %w", t.Key, err)
			}
		}
	}
	return nil
}

// Balances are the balances of the accounts of kind with the given keys,
// by key (zero for an account never used).
func (s *Service) Balances(ctx context.Context, kind string, keys []string) (map[string]app.Money, error) {
	got, err := s.store.AccountBalances(ctx, kind, keys, s.currency)
	if err != nil {
		return nil, err
	}
	out := make(map[string]app.Money, len(keys))
	for _, k := range keys {
		out[k] = app.Money{Minor: got[k], Currency: s.currency}
	}
	return out, nil
}
