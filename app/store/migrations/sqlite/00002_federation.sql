-- +goose Up
ALTER TABLE users ADD COLUMN private_key_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN public_key_pem TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN discoverable BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN also_known_as TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN icon_url TEXT NOT NULL DEFAULT '';

-- The instance actor signs fetches and speaks for the server; one row.
CREATE TABLE instance_keys (
    id              BIGINT PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    public_key_pem  TEXT NOT NULL,
    created_at      DATETIME NOT NULL
);

CREATE TABLE remote_actors (
    id                          INTEGER PRIMARY KEY AUTOINCREMENT,
    uri                         TEXT NOT NULL,
    type                        TEXT NOT NULL,
    host                        TEXT NOT NULL,
    preferred_username          TEXT NOT NULL DEFAULT '',
    name                        TEXT NOT NULL DEFAULT '',
    summary                     TEXT NOT NULL DEFAULT '',
    url                         TEXT NOT NULL DEFAULT '',
    icon_url                    TEXT NOT NULL DEFAULT '',
    inbox                       TEXT NOT NULL DEFAULT '',
    shared_inbox                TEXT NOT NULL DEFAULT '',
    outbox                      TEXT NOT NULL DEFAULT '',
    followers                   TEXT NOT NULL DEFAULT '',
    key_id                      TEXT NOT NULL DEFAULT '',
    public_key_pem              TEXT NOT NULL DEFAULT '',
    manually_approves_followers BOOLEAN NOT NULL DEFAULT FALSE,
    also_known_as               TEXT NOT NULL DEFAULT '',
    moved_to                    TEXT NOT NULL DEFAULT '',
    document                    TEXT NOT NULL DEFAULT '',
    fetched_at                  DATETIME NOT NULL,
    deleted_at                  DATETIME,
    created_at                  DATETIME NOT NULL,
    updated_at                  DATETIME NOT NULL
);
CREATE UNIQUE INDEX remote_actors_uri_key ON remote_actors (uri);
CREATE INDEX remote_actors_key_id_idx ON remote_actors (key_id);
CREATE INDEX remote_actors_host_idx ON remote_actors (host);

-- follows holds every follow relation Plaudit knows of with a local side:
-- local → remote, remote → local and local → local.
CREATE TABLE follows (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_uri TEXT NOT NULL,
    follower_uri TEXT NOT NULL,
    followee_uri TEXT NOT NULL,
    state        TEXT NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX follows_pair_key ON follows (follower_uri, followee_uri);
CREATE UNIQUE INDEX follows_activity_uri_key ON follows (activity_uri);
CREATE INDEX follows_followee_idx ON follows (followee_uri, state);

-- activities holds what local actors published (outbox) and what arrived in
-- an inbox, one row per activity id: the id makes receiving idempotent.
CREATE TABLE activities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    uri          TEXT NOT NULL,
    type         TEXT NOT NULL,
    actor_uri    TEXT NOT NULL,
    object_uri   TEXT NOT NULL DEFAULT '',
    local        BOOLEAN NOT NULL,
    public       BOOLEAN NOT NULL DEFAULT FALSE,
    inbox_owner  TEXT NOT NULL DEFAULT '',
    document     TEXT NOT NULL,
    state        TEXT NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    processed_at DATETIME
);
CREATE UNIQUE INDEX activities_uri_key ON activities (uri);
CREATE INDEX activities_outbox_idx ON activities (actor_uri, local, public, id);
CREATE INDEX activities_state_idx ON activities (state, id);

CREATE TABLE remote_objects (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    uri           TEXT NOT NULL,
    type          TEXT NOT NULL,
    attributed_to TEXT NOT NULL DEFAULT '',
    name          TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    content       TEXT NOT NULL DEFAULT '',
    url           TEXT NOT NULL DEFAULT '',
    in_reply_to   TEXT NOT NULL DEFAULT '',
    public        BOOLEAN NOT NULL DEFAULT FALSE,
    published_at  DATETIME,
    document      TEXT NOT NULL,
    deleted_at    DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX remote_objects_uri_key ON remote_objects (uri);
CREATE INDEX remote_objects_attributed_to_idx ON remote_objects (attributed_to);

-- likes: every Like Plaudit received or sent (a flattr is a Like).
CREATE TABLE likes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_uri TEXT NOT NULL,
    actor_uri    TEXT NOT NULL,
    object_uri   TEXT NOT NULL,
    content      TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX likes_activity_uri_key ON likes (activity_uri);
CREATE INDEX likes_object_idx ON likes (object_uri);
CREATE INDEX likes_actor_object_idx ON likes (actor_uri, object_uri);

-- deliveries: one row per (activity, inbox), written in the activity's
-- transaction; the queue is rebuilt from here after a crash.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_id     BIGINT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    inbox           TEXT NOT NULL,
    host            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DATETIME NOT NULL,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL,
    delivered_at    DATETIME
);
CREATE UNIQUE INDEX deliveries_activity_inbox_key ON deliveries (activity_id, inbox);
CREATE INDEX deliveries_due_idx ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_host_idx ON deliveries (host, state);

CREATE TABLE remote_hosts (
    host              TEXT PRIMARY KEY,
    failures          INTEGER NOT NULL DEFAULT 0,
    first_failure_at  DATETIME,
    last_failure_at   DATETIME,
    last_success_at   DATETIME,
    unreachable_since DATETIME,
    updated_at        DATETIME NOT NULL
);

CREATE TABLE domain_blocks (
    domain     TEXT PRIMARY KEY,
    severity   TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);

CREATE TABLE actor_blocks (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_uri  TEXT NOT NULL,
    blocked_by TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL
);
CREATE UNIQUE INDEX actor_blocks_pair_key ON actor_blocks (blocked_by, actor_uri);

-- +goose Down
DROP TABLE actor_blocks;
DROP TABLE domain_blocks;
DROP TABLE remote_hosts;
DROP TABLE deliveries;
DROP TABLE likes;
DROP TABLE remote_objects;
DROP TABLE activities;
DROP TABLE follows;
DROP TABLE remote_actors;
DROP TABLE instance_keys;
ALTER TABLE users DROP COLUMN icon_url;
ALTER TABLE users DROP COLUMN also_known_as;
ALTER TABLE users DROP COLUMN discoverable;
ALTER TABLE users DROP COLUMN manually_approves_followers;
ALTER TABLE users DROP COLUMN public_key_pem;
ALTER TABLE users DROP COLUMN private_key_pem;
