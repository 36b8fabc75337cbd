-- +goose Up
-- API tokens get Mastodon scopes, an expiry and revocation. Tokens made
-- before this migration could do everything but admin work and never
-- expired: they keep "read write follow" (admin routes now need an
-- explicit admin:read or admin:write) and expire 90 days after this
-- migration, the lifetime a new token gets by default, so that no token
-- lives forever. The time is written as the driver writes times.
ALTER TABLE api_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read write follow';
ALTER TABLE api_tokens ADD COLUMN expires_at DATETIME;
ALTER TABLE api_tokens ADD COLUMN revoked_at DATETIME;
UPDATE api_tokens SET expires_at = strftime('%Y-%m-%d %H:%M:%f+00:00', 'now', '+90 days');
CREATE INDEX api_tokens_user_id_idx ON api_tokens (user_id);

-- +goose Down
DROP INDEX api_tokens_user_id_idx;
ALTER TABLE api_tokens DROP COLUMN revoked_at;
ALTER TABLE api_tokens DROP COLUMN expires_at;
ALTER TABLE api_tokens DROP COLUMN scopes;
