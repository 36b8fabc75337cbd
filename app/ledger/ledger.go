// Package ledger holds Plaudit's double-entry ledger: every movement of
// money is a transaction of postings that sum to zero, written once under
// an idempotency key, in the instance's currency. Balances derive from
// the postings; each account's balance is also cached, and Check proves
// the cache, the balancing and the invariants.
package ledger

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// Store persists the ledger (implemented by store.Ledger).
type Store interface {
	InsertTransaction(ctx context.Context, t *app.Transaction) (*app.Transaction, bool, []app.Balance, error)
	TransactionByKey(ctx context.Context, key string) (*app.Transaction, error)
	InsertTransactions(ctx context.Context, ts []*app.Transaction) ([]bool, map[string]*app.Transaction, []app.Balance, error)
	AccountBalance(ctx context.Context, a app.Account, currency string) (app.Money, error)
	AccountBalances(ctx context.Context, kind string, keys []string, currency string) (map[string]int64, error)
	AuditLedger(ctx context.Context, currency string) (*app.LedgerAudit, error)
}

// Service writes and checks the ledger.
type Service struct {
	tx       app.Transactor
	store    Store
	currency string
}

// New returns a Service for an instance that keeps its books in currency
// (an ISO 4217 code).
func New(tx app.Transactor, st Store, currency string) (*Service, error) {
	m, err := app.NewMoney(0, currency)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &Service{tx: tx, store: st, currency: m.Currency}, nil
}

// Currency is the ledger's currency.
func (s *Service) Currency() string { return s.currency }

// Post writes t, or finds it written: the same key with the same postings
// returns the first transaction and changes nothing; the same key with
// other postings is app.ECONFLICT. A transaction that would leave an
// account of a holding kind below zero (or a source account above it) is
// app.EINVALID and writes nothing. It joins the transaction ctx carries,
// so a use case posts with its own rows, all or nothing.
func (s *Service) Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error) {
	if t.Currency == "" {
		t.Currency = s.currency
	}
	if t.Currency != s.currency {
		return nil, app.Errorf(app.EINVALID, "transaction %s is in %s; this ledger keeps %s", t.Key, t.Currency, s.currency)
	}
	if err := t.Check(); err != nil {
		return nil, err
	}
	var out *app.Transaction
	err := s.tx.WithTx(ctx, func(ctx context.Context) error {
		stored, inserted, after, err := s.store.InsertTransaction(ctx, t)
		if err != nil {
			return err
		}
		if !inserted {
			if !stored.SamePostings(t) {
				return app.Errorf(app.ECONFLICT, "ledger transaction %s was written with other postings; a correction needs a new key", t.Key)
			}
			out = stored
			return nil
		}
		for _, b := range after {
			if err := checkSign(b); err != nil {
				return fmt.Errorf("transaction %s: %w", t.Key, err)
			}
		}
		out = stored
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("post %s: %w", t.Key, err)
	}
	return out, nil
}

// checkSign refuses a holding account below zero and a source account
// above it.
func checkSign(b app.Balance) error {
	switch {
	case app.SourceKind(b.Account.Kind) && b.Money.Minor > 0:
		return app.Errorf(app.EINVALID, "%s would hold %s: money in and receivables only count what came from elsewhere", b.Account, b.Money)
	case !app.SourceKind(b.Account.Kind) && b.Money.Minor < 0:
		return app.Errorf(app.EINVALID, "%s would be %s: not enough money there", b.Account, b.Money)
	}
	return nil
}

// Balance is an account's balance.
func (s *Service) Balance(ctx context.Context, a app.Account) (app.Money, error) {
	return s.store.AccountBalance(ctx, a, s.currency)
}

// Report is what Check found: the balance of each kind of account and
// every violation.
type Report struct {
	Currency   string
	ByKind     map[string]int64 // sum of the cached balances of each kind
	Accounts   int
	Violations []app.Violation
}

// Check proves the ledger: every transaction balances, no cached balance
// drifts from its postings, no holding account is below zero (no source
// account above), every amount is in the ledger's currency, and the
// invariant holds: money in = wallets + fees + escrow + creator balances
// and pending + payable − receivable + money out.
func (s *Service) Check(ctx context.Context) (*Report, error) {
	a, err := s.store.AuditLedger(ctx, s.currency)
	if err != nil {
		return nil, fmt.Errorf("ledger check: %w", err)
	}
	r := &Report{Currency: s.currency, ByKind: map[string]int64{}}
	for _, key := range a.Unbalanced {
		r.Violations = append(r.Violations, app.Violation{Rule: "unbalanced", Message: "transaction " + key + "'s postings do not sum to zero"})
	}
	for _, d := range a.Drifting {
		r.Violations = append(r.Violations, app.Violation{Rule: "drift", Message: fmt.Sprintf("%s caches %d but its postings sum to %d (%s)", d.Account, d.Cached, d.Postings, d.Currency)})
	}
	for _, b := range a.Offending {
		if b.Money.Currency != s.currency {
			r.Violations = append(r.Violations, app.Violation{Rule: "currency", Message: fmt.Sprintf("%s is kept in %s, not %s", b.Account, b.Money.Currency, s.currency)})
			continue
		}
		if err := checkSign(b); err != nil {
			r.Violations = append(r.Violations, app.Violation{Rule: "negative", Message: err.Error()})
		}
	}
	for _, t := range a.Totals {
		r.Accounts += t.Accounts
		if t.Currency == s.currency {
			r.ByKind[t.Kind] += t.Balance
		}
	}
	in := -r.ByKind[app.AccountMoneyIn]
	held := r.ByKind[app.AccountWallet] + r.ByKind[app.AccountFees] + r.ByKind[app.AccountEscrow] +
		r.ByKind[app.AccountCreator] + r.ByKind[app.AccountCreatorPending] + r.ByKind[app.AccountPayable] -
		(-r.ByKind[app.AccountReceivable]) + r.ByKind[app.AccountMoneyOut]
	if in != held {
		r.Violations = append(r.Violations, app.Violation{Rule: "invariant", Message: fmt.Sprintf(
			"money in (%d) ≠ wallets + fees + escrow + creators + pending + payable − receivable + money out (%d)", in, held)})
	}
	return r, nil
}
