-- +goose Up
-- The double-entry ledger: accounts (with a cached balance), transactions
-- (one per idempotency key) and their postings, which sum to zero per
-- transaction. Transactions and postings are never changed or deleted.
CREATE TABLE ledger_accounts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    currency   TEXT NOT NULL,
    balance    BIGINT NOT NULL DEFAULT 0,
    updated_at DATETIME NOT NULL,
    UNIQUE (kind, key, currency)
);
CREATE TABLE ledger_transactions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key   TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL,
    memo       TEXT NOT NULL DEFAULT '',
    currency   TEXT NOT NULL,
    created_at DATETIME NOT NULL
);
CREATE TABLE ledger_postings (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id BIGINT NOT NULL REFERENCES ledger_transactions (id),
    account_id     BIGINT NOT NULL REFERENCES ledger_accounts (id),
    amount         BIGINT NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_postings_transaction_idx ON ledger_postings (transaction_id);
CREATE INDEX ledger_postings_account_idx ON ledger_postings (account_id, id);

-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable: write a correcting transaction'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable: write a correcting transaction'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable: write a correcting transaction'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are immutable: write a correcting transaction'); END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE ledger_postings;
DROP TABLE ledger_transactions;
DROP TABLE ledger_accounts;
