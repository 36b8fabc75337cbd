-- +goose Up
-- user_settings: a funder's choices that are not their public profile:
-- privacy (flattr anonymously by default, show their name to creators)
-- and the time zone the pages show times in. A user without a row has
-- the defaults (anonymous by default, name shown, UTC).
CREATE TABLE user_settings (
    user_id              BIGINT PRIMARY KEY,
    anonymous_by_default BOOLEAN NOT NULL DEFAULT TRUE,
    show_name            BOOLEAN NOT NULL DEFAULT TRUE,
    time_zone            TEXT NOT NULL DEFAULT 'UTC',
    updated_at           TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE user_settings;
