-- +goose Up
-- autoflattr_links: funders' home accounts on servers with a Mastodon API,
-- whose favourites become flattrs; the access token is sealed (AES-GCM).
CREATE TABLE autoflattr_links (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL,
    server        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    client_secret TEXT NOT NULL,
    token_sealed  TEXT NOT NULL DEFAULT '',
    verifier      TEXT NOT NULL DEFAULT '',
    oauth_state   TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL,
    monthly_cap   INTEGER NOT NULL,
    exceptions    TEXT NOT NULL DEFAULT '',
    created_at    DATETIME NOT NULL
);
CREATE INDEX autoflattr_links_user_idx ON autoflattr_links (user_id);

-- autoflattr_seen: the favourites a link has turned into flattrs, or not
-- (over the cap, an exception), each once.
CREATE TABLE autoflattr_seen (
    link_id    BIGINT NOT NULL,
    status_uri TEXT NOT NULL,
    month      TEXT NOT NULL,
    outcome    TEXT NOT NULL,
    PRIMARY KEY (link_id, status_uri)
);

-- +goose Down
DROP TABLE autoflattr_seen;
DROP TABLE autoflattr_links;
