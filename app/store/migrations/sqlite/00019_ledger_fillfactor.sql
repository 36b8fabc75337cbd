-- +goose Up
-- PostgreSQL only (fillfactor of ledger_accounts); SQLite has no such
-- setting. Kept so both dialects share the numbering.
SELECT 1;

-- +goose Down
SELECT 1;
