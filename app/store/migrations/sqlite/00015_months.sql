-- +goose Up
-- budgets: what a funder spends a month (until set: the minimum).
CREATE TABLE budgets (
    funder_uri   TEXT NOT NULL PRIMARY KEY,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    currency     TEXT NOT NULL,
    updated_at   DATETIME NOT NULL
);

-- month_closes: one row per month being or having been closed, with its
-- stage and the cut-off time fixed by the first run (a rerun resumes
-- with the same cut-off). lease_until is the lock that keeps two workers
-- from closing one month at once.
CREATE TABLE month_closes (
    month       TEXT NOT NULL PRIMARY KEY,
    stage       TEXT NOT NULL,
    cutoff_at   DATETIME NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until DATETIME NOT NULL,
    funders     BIGINT NOT NULL DEFAULT 0,
    started_at  DATETIME NOT NULL,
    finished_at DATETIME
);

-- month_close_funders: one row per funder and month closed, written in
-- the transaction of the funder's ledger transaction (none for a funder
-- whose wallet was empty): a rerun skips the funders found here.
CREATE TABLE month_close_funders (
    month       TEXT NOT NULL,
    funder_uri  TEXT NOT NULL,
    amount      BIGINT NOT NULL,
    fee         BIGINT NOT NULL,
    ledger_key  TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (month, funder_uri)
);

-- month_close_lines: where each flattr's money went (the line items of
-- statements to peers).
CREATE TABLE month_close_lines (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    month         TEXT NOT NULL,
    funder_uri    TEXT NOT NULL,
    activity_uri  TEXT NOT NULL,
    thing_uri     TEXT NOT NULL,
    recipient_uri TEXT NOT NULL,
    account_kind  TEXT NOT NULL,
    account_key   TEXT NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0)
);
CREATE INDEX month_close_lines_month_idx ON month_close_lines (month, account_kind, account_key);

-- escrow_settlements: what became of one funder's escrowed money for one
-- owner and month: returned to the funder, or released to the owner who
-- claimed it. One row each, written with its ledger transaction.
CREATE TABLE escrow_settlements (
    escrow_key TEXT NOT NULL,
    funder_uri TEXT NOT NULL,
    month      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    ledger_key TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (escrow_key, funder_uri, month)
);

-- +goose Down
DROP TABLE escrow_settlements;
DROP TABLE month_close_lines;
DROP TABLE month_close_funders;
DROP TABLE month_closes;
DROP TABLE budgets;
