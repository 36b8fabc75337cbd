-- +goose Up
-- oauth_apps: client applications registered through the Mastodon client
-- API (POST /api/v1/apps). Only the SHA-256 of the client secret is kept.
-- redirect_uris holds one URI per line, matched exactly.
CREATE TABLE oauth_apps (
    id            BIGSERIAL PRIMARY KEY,
    client_id     TEXT NOT NULL UNIQUE,
    secret_hash   TEXT NOT NULL,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    website       TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL
);

-- oauth_codes: authorization codes, by their SHA-256; used_at is set by
-- the one token request that may use a code.
CREATE TABLE oauth_codes (
    id               BIGSERIAL PRIMARY KEY,
    code_hash        TEXT NOT NULL UNIQUE,
    client_id        TEXT NOT NULL,
    username         TEXT NOT NULL,
    redirect_uri     TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    challenge        TEXT NOT NULL DEFAULT '',
    challenge_method TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    used_at          TIMESTAMPTZ
);
CREATE INDEX oauth_codes_expires_at_idx ON oauth_codes (expires_at);

-- oauth_app_tokens: client_credentials tokens, which act for an app and
-- no user, by their SHA-256. Tokens of users are api_tokens.
CREATE TABLE oauth_app_tokens (
    id         BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);

-- +goose Down
DROP TABLE oauth_app_tokens;
DROP INDEX oauth_codes_expires_at_idx;
DROP TABLE oauth_codes;
DROP TABLE oauth_apps;
