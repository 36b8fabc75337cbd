package store

import (
	"context"
	"database/sql"
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

// auditLimit bounds how many offending rows of each rule the ledger
// check lists.
const auditLimit = 1000

// AuditLedger reads what the ledger check needs with aggregate queries,
// whatever the ledger's size: the transactions that do not balance, the
// accounts whose cached balance drifts from their postings or whose sign
// or currency is wrong (each at most auditLimit), and the total of each
// kind of account.
func (s *Ledger) AuditLedger(ctx context.Context, currency string) (*app.LedgerAudit, error) {
	a := &app.LedgerAudit{}
	err := s.conn(ctx).Raw(`SELECT t.idem_key FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id
GROUP BY t.id, t.idem_key HAVING SUM(p.amount) <> 0 OR COUNT(*) < 2 ORDER BY t.id LIMIT ?`, auditLimit).Scan(&a.Unbalanced).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	var drifting []struct {
		Kind, Key, Currency string
		Balance, Sum        int64
	}
	err = s.conn(ctx).Raw(`SELECT a.kind, a.key, a.currency, a.balance, COALESCE(p.sum, 0) AS sum
FROM ledger_accounts a LEFT JOIN (SELECT account_id, SUM(amount) AS sum FROM ledger_postings GROUP BY account_id) p ON p.account_id = a.id
WHERE a.balance <> COALESCE(p.sum, 0) ORDER BY a.kind, a.key LIMIT ?`, auditLimit).Scan(&drifting).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	for _, r := range drifting {
		a.Drifting = append(a.Drifting, app.Drift{Account: app.Account{Kind: r.Kind, Key: r.Key}, Currency: r.Currency, Cached: r.Balance, Postings: r.Sum})
	}
	var offending []ledgerAccountRow
	err = s.conn(ctx).Where(`currency <> ? OR (kind IN ? AND balance > 0) OR (kind NOT IN ? AND balance < 0)`,
		currency, sourceKinds, sourceKinds).Order("kind, key").Limit(auditLimit).Find(&offending).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	for _, r := range offending {
		a.Offending = append(a.Offending, app.Balance{Account: app.Account{Kind: r.Kind, Key: r.Key}, Money: app.Money{Minor: r.Balance, Currency: r.Currency}})
	}
	err = s.conn(ctx).Raw(`SELECT kind, currency, COUNT(*) AS accounts, COALESCE(SUM(balance), 0) AS balance
FROM ledger_accounts GROUP BY kind, currency ORDER BY kind, currency`).Scan(&a.Totals).Error
	if err != nil {
		return nil, translate(err, "ledger check")
	}
	return a, nil
}

// sourceKinds are the kinds of account whose balance is zero or below.
var sourceKinds = func() []string {
	var out []string
	for _, k := range app.AccountKinds {
		if app.SourceKind(k) {
			out = append(out, k)
		}
	}
	return out
}()

// InsertTransactions writes many transactions as InsertTransaction writes
// one, in a few statements, in the transaction ctx carries (call it in
// one): inserted tells, by index, which were written; existing holds the
// stored transactions of the keys that were written before (nothing of
// theirs is written again); after holds the balance, after the batch, of
// every account the inserted transactions touched. The accounts are
// locked in the same order as InsertTransaction locks them. The keys of
// ts must be distinct.
func (s *Ledger) InsertTransactions(ctx context.Context, ts []*app.Transaction) (inserted []bool, existing map[string]*app.Transaction, after []app.Balance, err error) {
	inserted = make([]bool, len(ts))
	if len(ts) == 0 {
		return inserted, nil, nil, nil
	}
	ids, err := s.insertTransactionRows(ctx, ts)
	if err != nil {
		return nil, nil, nil, err
	}
	var old []string
	for i, t := range ts {
		if id, ok := ids[t.Key]; ok {
			t.ID, inserted[i] = id, true
		} else {
			old = append(old, t.Key)
		}
	}
	if existing, err = s.TransactionsByKeys(ctx, old); err != nil {
		return nil, nil, nil, err
	}
	accounts, after, err := s.creditAll(ctx, ts, inserted)
	if err != nil {
		return nil, nil, nil, err
	}
	var txIDs, accIDs, amounts []int64
	for i, t := range ts {
		if !inserted[i] {
			continue
		}
		for _, p := range t.Postings {
			txIDs = append(txIDs, t.ID)
			accIDs = append(accIDs, accounts[accountOf(p.Account, t.Currency)])
			amounts = append(amounts, p.Amount)
		}
	}
	err = s.bulkInsert(ctx, "ledger_postings", []bulkCol{
		{"transaction_id", "bigint", txIDs}, {"account_id", "bigint", accIDs}, {"amount", "bigint", amounts},
	}, "", nil)
	if err != nil {
		return nil, nil, nil, err
	}
	return inserted, existing, after, nil
}

// insertTransactionRows inserts the rows of ts whose keys are new and
// returns their ids by key.
func (s *Ledger) insertTransactionRows(ctx context.Context, ts []*app.Transaction) (map[string]int64, error) {
	now := time.Now().UTC()
	keys, kinds, memos, currencies := make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts)), make([]string, len(ts))
	ats := make([]time.Time, len(ts))
	for i, t := range ts {
		if t.At.IsZero() {
			t.At = now
		}
		keys[i], kinds[i], memos[i], currencies[i], ats[i] = t.Key, t.Kind, t.Memo, t.Currency, t.At.UTC()
	}
	ids := make(map[string]int64, len(ts))
	err := s.bulkInsert(ctx, "ledger_transactions", []bulkCol{
		{"idem_key", "text", keys}, {"kind", "text", kinds}, {"memo", "text", memos}, {"currency", "text", currencies}, {"created_at", "timestamptz", ats},
	}, "ON CONFLICT (idem_key) DO NOTHING RETURNING id, idem_key", func(rows *sql.Rows) error {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			return err
		}
		ids[key] = id
		return nil
	})
	return ids, err
}

// accountKey names an account in one currency.
type accountKey struct {
	app.Account
	Currency string
}

func accountOf(a app.Account, currency string) accountKey { return accountKey{a, currency} }

// creditAll adds the postings of the inserted transactions to their
// accounts' cached balances (making the accounts that are new), one row
// update per account, in InsertTransaction's locking order; it returns
// the accounts' ids and their balances after.
func (s *Ledger) creditAll(ctx context.Context, ts []*app.Transaction, inserted []bool) (map[accountKey]int64, []app.Balance, error) {
	delta := map[accountKey]int64{}
	for i, t := range ts {
		if !inserted[i] {
			continue
		}
		for _, p := range t.Postings {
			delta[accountOf(p.Account, t.Currency)] += p.Amount
		}
	}
	order := make([]accountKey, 0, len(delta))
	for a := range delta {
		order = append(order, a)
	}
	sort.Slice(order, func(i, j int) bool {
		if a, b := order[i].String(), order[j].String(); a != b {
			return a < b
		}
		return order[i].Currency < order[j].Currency
	})
	kinds, keys, currencies := make([]string, len(order)), make([]string, len(order)), make([]string, len(order))
	amounts, ats := make([]int64, len(order)), make([]time.Time, len(order))
	now := time.Now().UTC()
	for i, a := range order {
		kinds[i], keys[i], currencies[i], amounts[i], ats[i] = a.Kind, a.Key, a.Currency, delta[a], now
	}
	ids := make(map[accountKey]int64, len(order))
	after := make([]app.Balance, 0, len(order))
	err := s.bulkInsert(ctx, "ledger_accounts", []bulkCol{
		{"kind", "text", kinds}, {"key", "text", keys}, {"currency", "text", currencies}, {"balance", "bigint", amounts}, {"updated_at", "timestamptz", ats},
	}, `ON CONFLICT (kind, key, currency) DO UPDATE SET balance = ledger_accounts.balance + excluded.balance, updated_at = excluded.updated_at
RETURNING id, kind, key, currency, balance`, func(rows *sql.Rows) error {
		var a accountKey
		var id, balance int64
		if err := rows.Scan(&id, &a.Kind, &a.Key, &a.Currency, &balance); err != nil {
			return err
		}
		ids[a] = id
		after = append(after, app.Balance{Account: a.Account, Money: app.Money{Minor: balance, Currency: a.Currency}})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	if len(ids) != len(order) {
		return nil, nil, fmt.Errorf("ledger: %d of %d accounts credited", len(ids), len(order))
	}
	return ids, after, nil
}

// TransactionsByKeys loads the transactions with the given idempotency
// keys and their postings, by key (keys not found are left out).
func (s *Ledger) TransactionsByKeys(ctx context.Context, keys []string) (map[string]*app.Transaction, error) {
	out := map[string]*app.Transaction{}
	for from := 0; from < len(keys); from += sqliteBulkRows {
		var rows []struct {
			ID                              int64
			IdemKey, TxKind, Memo, Currency string
			CreatedAt                       time.Time
			Kind, Key                       string
			Amount                          int64
		}
		err := s.conn(ctx).Raw(`SELECT t.id, t.idem_key, t.kind AS tx_kind, t.memo, t.currency, t.created_at, a.kind, a.key, p.amount
FROM ledger_transactions t JOIN ledger_postings p ON p.transaction_id = t.id JOIN ledger_accounts a ON a.id = p.account_id
WHERE t.idem_key IN ? ORDER BY p.id`, keys[from:min(from+sqliteBulkRows, len(keys))]).Scan(&rows).Error
		if err != nil {
			return nil, translate(err, "ledger transactions")
		}
		for _, r := range rows {
			t := out[r.IdemKey]
			if t == nil {
				t = &app.Transaction{ID: r.ID, Key: r.IdemKey, Kind: r.TxKind, Memo: r.Memo, Currency: r.Currency, At: r.CreatedAt}
				out[r.IdemKey] = t
			}
			t.Postings = append(t.Postings, app.Posting{Account: app.Account{Kind: r.Kind, Key: r.Key}, Amount: r.Amount})
		}
	}
	return out, nil
}

// AccountBalances are the cached balances in currency of the accounts of
// kind with the given keys, by key (accounts never used are left out).
func (s *Ledger) AccountBalances(ctx context.Context, kind string, keys []string, currency string) (map[string]int64, error) {
	out := make(map[string]int64, len(keys))
	for from := 0; from < len(keys); from += sqliteBulkRows {
		var rows []ledgerAccountRow
		err := s.conn(ctx).Where("kind = ? AND currency = ? AND key IN ?", kind, currency, keys[from:min(from+sqliteBulkRows, len(keys))]).Find(&rows).Error
		if err != nil {
			return nil, translate(err, "balances of "+kind+" accounts")
		}
		for _, r := range rows {
			out[r.Key] = r.Balance
		}
	}
	return out, nil
}
