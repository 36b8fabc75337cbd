-- +goose Up
-- A 410 Gone from an inbox ends the other pending deliveries to it and
-- marks the actors whose personal inbox it is deleted: both look rows up
-- by inbox.
CREATE INDEX IF NOT EXISTS deliveries_pending_inbox_idx ON deliveries (inbox) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS remote_actors_inbox_idx ON remote_actors (inbox);

-- +goose Down
DROP INDEX IF EXISTS remote_actors_inbox_idx;
DROP INDEX IF EXISTS deliveries_pending_inbox_idx;
