-- +goose Up
-- Received activities are looked up by state only while pending (claims,
-- the sweep): a partial index holds just those rows, and the update that
-- marks a row processed adds no entry to it (the (state, id) index got
-- one for every row and every change of state, and a claim of a batch
-- read through all pending entries).
CREATE INDEX activities_pending_idx ON activities (id) WHERE state = 'pending';
DROP INDEX activities_state_idx;

-- +goose Down
CREATE INDEX activities_state_idx ON activities (state, id);
DROP INDEX activities_pending_idx;
