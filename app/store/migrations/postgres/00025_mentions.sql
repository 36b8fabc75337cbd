-- +goose Up
-- mention_flattrs: replies that mentioned the flattr actor, each handled
-- once (answered with a direct message saying what it did).
CREATE TABLE mention_flattrs (
    note_uri   TEXT NOT NULL PRIMARY KEY,
    actor_uri  TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE mention_flattrs;
