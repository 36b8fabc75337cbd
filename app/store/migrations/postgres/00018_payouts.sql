-- +goose Up
-- payout_details: where a creator's money is paid (a bank account, a
-- Stripe connected account or both).
CREATE TABLE payout_details (
    creator_uri    TEXT NOT NULL PRIMARY KEY,
    name           TEXT NOT NULL DEFAULT '',
    iban           TEXT NOT NULL DEFAULT '',
    bic            TEXT NOT NULL DEFAULT '',
    stripe_account TEXT NOT NULL DEFAULT '',
    updated_at     TIMESTAMPTZ NOT NULL
);

-- payout_batches: one row per payout run. At most one batch per provider
-- is being built at a time: a rerun after a crash resumes it.
CREATE TABLE payout_batches (
    id         TEXT NOT NULL PRIMARY KEY,
    provider   TEXT NOT NULL,
    currency   TEXT NOT NULL,
    state      TEXT NOT NULL,
    ref        TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    paid_at    TIMESTAMPTZ
);
CREATE UNIQUE INDEX payout_batches_building_idx ON payout_batches (provider) WHERE state = 'building';

-- payouts: one per creator and batch, written in the transaction of its
-- ledger posting (creator balance to payouts in flight); key is the
-- idempotency key, the SEPA EndToEndId and the Stripe idempotency key.
CREATE TABLE payouts (
    key            TEXT NOT NULL PRIMARY KEY,
    batch_id       TEXT NOT NULL REFERENCES payout_batches (id),
    creator_uri    TEXT NOT NULL,
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    provider       TEXT NOT NULL,
    state          TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    iban           TEXT NOT NULL DEFAULT '',
    bic            TEXT NOT NULL DEFAULT '',
    stripe_account TEXT NOT NULL DEFAULT '',
    ref            TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (batch_id, creator_uri)
);
CREATE INDEX payouts_creator_idx ON payouts (creator_uri, created_at);

-- +goose Down
DROP TABLE payouts;
DROP TABLE payout_batches;
DROP TABLE payout_details;
