-- +goose Up
-- status_keys: the Idempotency-Key of each POST /api/v1/statuses that
-- sent one, per user: the same key again answers the same post.
CREATE TABLE status_keys (
    username   TEXT NOT NULL,
    key        TEXT NOT NULL,
    post_uri   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (username, key)
);

-- mastodon_preferences: what a user set through the Mastodon client API
-- that Plaudit's own profile does not hold: the weight a favourite
-- flattrs with.
CREATE TABLE mastodon_preferences (
    username       TEXT PRIMARY KEY,
    default_weight INTEGER NOT NULL DEFAULT 1 CHECK (default_weight BETWEEN 1 AND 10),
    updated_at     DATETIME NOT NULL
);

-- +goose Down
DROP TABLE mastodon_preferences;
DROP TABLE status_keys;
