-- +goose Up
-- Received activities are claimed by the worker that processes them, as
-- deliveries are: attempts counts the retried failures, next_attempt_at is
-- when the row is next due; a claim moves it ahead for the attempt's
-- duration, so a duplicate task or a sweep leaves the row alone meanwhile.
-- Rows already pending are due at once.
ALTER TABLE activities ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE activities ADD COLUMN next_attempt_at DATETIME NOT NULL DEFAULT '0001-01-01 00:00:00+00:00';
UPDATE activities SET next_attempt_at = created_at WHERE state = 'pending';

-- +goose Down
ALTER TABLE activities DROP COLUMN next_attempt_at;
ALTER TABLE activities DROP COLUMN attempts;
