-- +goose Up
-- link_codes: one-hour codes a funder sends, from a fediverse account
-- elsewhere, to the flattr actor in a direct message to link that account.
CREATE TABLE link_codes (
    code       TEXT NOT NULL PRIMARY KEY,
    user_id    BIGINT NOT NULL,
    expires_at DATETIME NOT NULL,
    used_at    DATETIME
);

-- mention_links: fediverse accounts linked to funders by such a code.
CREATE TABLE mention_links (
    actor_uri TEXT NOT NULL PRIMARY KEY,
    user_id   BIGINT NOT NULL,
    linked_at DATETIME NOT NULL
);

-- +goose Down
DROP TABLE mention_links;
DROP TABLE link_codes;
