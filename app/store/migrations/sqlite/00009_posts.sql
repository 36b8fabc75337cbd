-- +goose Up
-- Posts are what local users publish (a Note, Article or Page); the Create
-- that announced one is in activities, the post itself is a row here.
CREATE TABLE posts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uri          TEXT NOT NULL UNIQUE,
    activity_uri TEXT NOT NULL,
    author_uri   TEXT NOT NULL,
    type         TEXT NOT NULL,
    name         TEXT NOT NULL DEFAULT '',
    summary      TEXT NOT NULL DEFAULT '',
    content      TEXT NOT NULL DEFAULT '',
    in_reply_to  TEXT NOT NULL DEFAULT '',
    sensitive    BOOLEAN NOT NULL DEFAULT FALSE,
    audience_to  TEXT NOT NULL DEFAULT '',
    audience_cc  TEXT NOT NULL DEFAULT '',
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    published_at DATETIME NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE INDEX posts_author_idx ON posts (author_uri, id);

-- +goose Down
DROP TABLE posts;
