package store

import (
	"context"

	"fmt"
	"sort"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

type ledgerAccountRow struct {
	ID        int64
	Kind      string
	Key       string
	Currency  string
	Balance   int64
	UpdatedAt time.Time
}

func (ledgerAccountRow) TableName() string { return "ledger_accounts" }

type ledgerTransactionRow struct {
	ID        int64
	IdemKey   string
	Kind      string
	Memo      string
	Currency  string
	CreatedAt time.Time
}

func (ledgerTransactionRow) TableName() string { return "ledger_transactions" }

type ledgerPostingRow struct {
	ID            int64
	TransactionID int64
	AccountID     int64
	Amount        int64
}

func (ledgerPostingRow) TableName() string { return "ledger_postings" }

// InsertTransaction writes t, its postings and the new balances of its
// accounts, in the transaction ctx carries (call it in one). When a
// transaction with t's key exists it writes nothing and returns that one
// (inserted false). The balances returned are the accounts' balances
// after t, for the caller to check; the accounts' rows stay locked until
// the transaction ends, so concurrent postings to one account queue.
func (s *Ledger) InsertTransaction(ctx context.Context, t *app.Transaction) (stored *app.Transaction, inserted bool, after []app.Balance, err error) {
	if t.At.IsZero() {
		t.At = time.Now().UTC()
	}
	row := ledgerTransactionRow{IdemKey: t.Key, Kind: t.Kind, Memo: t.Memo, Currency: t.Currency, CreatedAt: t.At.UTC()}
	res := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "idem_key"}}, DoNothing: true}).Create(&row)
	if res.Error != nil {
		return nil, false, nil, translate(res.Error, "ledger transaction "+t.Key)
	}
	if res.RowsAffected == 0 {
		existing, err := s.TransactionByKey(ctx, t.Key)
		return existing, false, nil, err
	}
	t.ID = row.ID
	// Lock accounts in a fixed order, so that two transactions touching the
	// same accounts cannot deadlock.
	postings := append([]app.Posting(nil), t.Postings...)
	sort.Slice(postings, func(i, j int) bool { return postings[i].Account.String() < postings[j].Account.String() })
	now := time.Now().UTC()
	for _, p := range postings {
		id, balance, err := s.credit(ctx, p, t.Currency, now)
		if err != nil {
			return nil, false, nil, fmt.Errorf("ledger transaction %s: %w", t.Key, err)
		}
		if err := s.conn(ctx).Create(&ledgerPostingRow{TransactionID: row.ID, AccountID: id, Amount: p.Amount}).Error; err != nil {
			return nil, false, nil, translate(err, "posting of "+t.Key)
		}
		after = append(after, app.Balance{Account: p.Account, Money: app.Money{Minor: balance, Currency: t.Currency}})
	}
	return t, true, after, nil
}

// credit adds p's amount to its account (made when new) and returns the
// account's id and new balance.
func (s *Ledger) credit(ctx context.Context, p app.Posting, currency string, now time.Time) (int64, int64, error) {
	acc := ledgerAccountRow{Kind: p.Account.Kind, Key: p.Account.Key, Currency: currency, UpdatedAt: now}
	err := s.conn(ctx).Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "kind"}, {Name: "key"}, {Name: "currency"}}, DoNothing: true}).Create(&acc).Error
	if err != nil {
		return 0, 0, translate(err, "account "+p.Account.String())
	}
	var got []ledgerAccountRow
	err = s.conn(ctx).Raw("UPDATE ledger_accounts SET balance = balance + ?, updated_at = ? WHERE kind = ? AND key = ? AND currency = ? RETURNING id, balance",
		p.Amount, now, p.Account.Kind, p.Account.Key, currency).Scan(&got).Error
	if err != nil {
		return 0, 0, translate(err, "balance of "+p.Account.String())
	}
	if len(got) != 1 {
		return 0, 0, fmt.Errorf("account %s: %w", p.Account, errNotFound)
	}
	return got[0].ID, got[0].Balance, nil
}

// TransactionByKey loads the transaction with idempotency key key and its
// postings.
func (s *Ledger) TransactionByKey(ctx context.Context, key string) (*app.Transaction, error) {
	var row ledgerTransactionRow
	if err := s.conn(ctx).Where("idem_key = ?", key).First(&row).Error; err != nil {
		return nil, translate(err, "ledger transaction "+key)
	}
	var ps []struct {
		Kind, Key string
		Amount    int64
	}
	err := s.conn(ctx).Raw(`SELECT a.kind, a.key, p.amount FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
WHERE p.transaction_id = ? ORDER BY p.id`, row.ID).Scan(&ps).Error
	if err != nil {
		return nil, translate(err, "postings of "+key)
	}
	t := &app.Transaction{ID: row.ID, Key: row.IdemKey, Kind: row.Kind, Memo: row.Memo, Currency: row.Currency, At: row.CreatedAt}
	for _, p := range ps {
		t.Postings = append(t.Postings, app.Posting{Account: app.Account{Kind: p.Kind, Key: p.Key}, Amount: p.Amount})
	}
	return t, nil
}

// AccountBalance is an account's cached balance in currency (zero for an
// account never used).
func (s *Ledger) AccountBalance(ctx context.Context, a app.Account, currency string) (app.Money, error) {
	var rows []ledgerAccountRow
	err := s.conn(ctx).Where("kind = ? AND key = ? AND currency = ?", a.Kind, a.Key, currency).Limit(1).Find(&rows).Error
	if err != nil {
		return app.Money{}, translate(err, "balance of "+a.String())
	}
	m := app.Money{Currency: currency}
	if len(rows) == 1 {
		m.Minor = rows[0].Balance
	}
	return m, nil
}

// AuditLedger reads what the ledger check needs, in three queries.
func (s *Ledger) AuditLedger(ctx context.Context) (*app.LedgerAudit, error) {
	a := &app.LedgerAudit{}
	var unbalanced []string
	err := s.conn(ctx).Raw(`SELECT t.idem_key FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id
GROUP BY t.id, t.idem_key HAVING SUM(p.amount) <> 0 OR COUNT(*) < 2 ORDER BY t.id`).Scan(&unbalanced).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	a.Unbalanced = unbalanced
	var accounts []struct {
		Kind, Key, Currency string
		Balance, Sum        int64
	}
	err = s.conn(ctx).Raw(`SELECT a.kind, a.key, a.currency, a.balance, COALESCE(SUM(p.amount), 0) AS sum
FROM ledger_accounts a LEFT JOIN ledger_postings p ON p.account_id = a.id
GROUP BY a.id, a.kind, a.key, a.currency, a.balance ORDER BY a.kind, a.key`).Scan(&accounts).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	for _, r := range accounts {
		acc := app.Account{Kind: r.Kind, Key: r.Key}
		a.Accounts = append(a.Accounts, app.Balance{Account: acc, Money: app.Money{Minor: r.Balance, Currency: r.Currency}})
		if r.Balance != r.Sum {
			a.Drifting = append(a.Drifting, app.Drift{Account: acc, Currency: r.Currency, Cached: r.Balance, Postings: r.Sum})
		}
	}
	return a, nil
}
