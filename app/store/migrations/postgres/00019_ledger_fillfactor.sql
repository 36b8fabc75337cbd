-- +goose Up
-- A month close updates the cached balance of every account it pays
-- into, page after page: with room left on each heap page the update is
-- HOT (no new index entries, dead versions pruned in place) instead of
-- bloating both indexes of ledger_accounts.
ALTER TABLE ledger_accounts SET (fillfactor = 50);

-- +goose Down
ALTER TABLE ledger_accounts RESET (fillfactor);
