-- +goose Up
-- The domains a creator claimed, published as attributionDomains on their
-- actor (space-separated hosts).
ALTER TABLE users ADD COLUMN attribution_domains TEXT NOT NULL DEFAULT '';

-- claims: a creator's statement that they own a remote actor or a site
-- (a URL prefix), verified by fetching both sides.
CREATE TABLE claims (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id     BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    actor_uri   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('actor', 'site')),
    subject     TEXT NOT NULL,
    url         TEXT NOT NULL,
    host        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('pending', 'verified', 'refused')),
    message     TEXT NOT NULL DEFAULT '',
    checked_at  DATETIME,
    verified_at DATETIME,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX claims_subject_per_user ON claims (user_id, kind, subject);
CREATE INDEX claims_verified_subject_idx ON claims (kind, subject) WHERE state = 'verified';
CREATE INDEX claims_verified_host_idx ON claims (host) WHERE state = 'verified';

-- blogs: blogs creators connected, with the status of their feed.
CREATE TABLE blogs (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id        BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    owner_uri      TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('activitypub', 'feed')),
    url            TEXT NOT NULL,
    actor_uri      TEXT NOT NULL DEFAULT '',
    feed_url       TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    e_tag          TEXT NOT NULL DEFAULT '',
    last_modified  TEXT NOT NULL DEFAULT '',
    last_fetch_at  DATETIME,
    last_error     TEXT NOT NULL DEFAULT '',
    last_item_at   DATETIME,
    items          BIGINT NOT NULL DEFAULT 0,
    failures       INTEGER NOT NULL DEFAULT 0,
    next_poll_at   DATETIME NOT NULL,
    payment_links  TEXT NOT NULL DEFAULT '',
    created_at     DATETIME NOT NULL,
    updated_at     DATETIME NOT NULL
);
CREATE UNIQUE INDEX blogs_url_per_user ON blogs (user_id, url);
CREATE INDEX blogs_due_idx ON blogs (kind, next_poll_at);
CREATE INDEX blogs_actor_idx ON blogs (actor_uri);

-- blog_items: the feed items already published, so each is published once.
CREATE TABLE blog_items (
    blog_id    BIGINT NOT NULL REFERENCES blogs (id) ON DELETE CASCADE,
    guid       TEXT NOT NULL,
    post_uri   TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (blog_id, guid)
);

-- +goose Down
DROP TABLE blog_items;
DROP TABLE blogs;
DROP TABLE claims;
ALTER TABLE users DROP COLUMN attribution_domains;
