-- +goose Up
-- users.suspended_at: when an admin suspended the account; a suspended
-- user cannot sign in, and their sessions and tokens stop working.
ALTER TABLE users ADD COLUMN suspended_at DATETIME;

-- +goose Down
ALTER TABLE users DROP COLUMN suspended_at;
