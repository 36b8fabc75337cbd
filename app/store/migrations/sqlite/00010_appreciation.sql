-- +goose Up
-- things: anything that can be flattred, local or remote, by canonical id.
-- The all-time counts are cached here and the monthly ones in
-- thing_counts; both are recomputed from flattrs and likes in the
-- transaction that changes them.
CREATE TABLE things (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    uri              TEXT NOT NULL UNIQUE,
    owner_uri        TEXT NOT NULL DEFAULT '',
    owner_confirmed  BOOLEAN NOT NULL DEFAULT FALSE,
    kind             TEXT NOT NULL,
    title            TEXT NOT NULL DEFAULT '',
    summary          TEXT NOT NULL DEFAULT '',
    url              TEXT NOT NULL DEFAULT '',
    host             TEXT NOT NULL,
    local            BOOLEAN NOT NULL DEFAULT FALSE,
    approval_required BOOLEAN NOT NULL DEFAULT FALSE,
    payment_links    TEXT NOT NULL DEFAULT '',
    flattrs_all_time BIGINT NOT NULL DEFAULT 0,
    cheers_all_time  BIGINT NOT NULL DEFAULT 0,
    funders          BIGINT NOT NULL DEFAULT 0,
    counts_at        DATETIME,
    deleted_at       DATETIME,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE INDEX things_owner_idx ON things (owner_uri, id);
CREATE INDEX things_url_idx ON things (url);

-- Posts published before things existed are things of their authors.
INSERT INTO things (uri, owner_uri, owner_confirmed, kind, title, url, host, local, created_at, updated_at)
SELECT uri, author_uri, TRUE, type, name, uri, substr(substr(uri, instr(uri, '://') + 3), 1, instr(substr(uri, instr(uri, '://') + 3), '/') - 1), TRUE, created_at, updated_at FROM posts;

-- thing_counts: a thing's flattrs and cheers in one month.
CREATE TABLE thing_counts (
    thing_uri  TEXT NOT NULL,
    month      TEXT NOT NULL,
    flattrs    BIGINT NOT NULL DEFAULT 0,
    cheers     BIGINT NOT NULL DEFAULT 0,
    weight     BIGINT NOT NULL DEFAULT 0,
    updated_at DATETIME NOT NULL,
    PRIMARY KEY (thing_uri, month)
);
CREATE INDEX thing_counts_month_idx ON thing_counts (month, flattrs);

-- flattrs: one per funder, thing and month while it stands. funder_key is
-- the funder, except for anonymous flattrs received from other servers
-- (all from one instance actor), where it is the Like's id.
CREATE TABLE flattrs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    activity_uri TEXT NOT NULL UNIQUE,
    funder_uri   TEXT NOT NULL,
    funder_key   TEXT NOT NULL,
    thing_uri    TEXT NOT NULL,
    owner_uri    TEXT NOT NULL DEFAULT '',
    month        TEXT NOT NULL,
    weight       INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 10),
    tip          BIGINT NOT NULL DEFAULT 0 CHECK (tip >= 0),
    anonymous    BOOLEAN NOT NULL DEFAULT FALSE,
    local        BOOLEAN NOT NULL DEFAULT FALSE,
    state        TEXT NOT NULL,
    changed_at   DATETIME NOT NULL,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX flattrs_one_per_month ON flattrs (funder_key, thing_uri, month) WHERE state IN ('active', 'pending');
CREATE INDEX flattrs_thing_idx ON flattrs (thing_uri, month);
CREATE INDEX flattrs_funder_idx ON flattrs (funder_uri, month, id);

-- undone_activities: ids of activities undone before (or after) they were
-- processed, so that a Like processed after its Undo stays undone.
CREATE TABLE undone_activities (
    activity_uri TEXT NOT NULL PRIMARY KEY,
    actor_uri    TEXT NOT NULL,
    undone_at    DATETIME NOT NULL
);

-- recipients: co-creators sharing a thing's (or a creator's) money.
CREATE TABLE recipients (
    subject_uri   TEXT NOT NULL,
    recipient_uri TEXT NOT NULL,
    share         INTEGER NOT NULL CHECK (share > 0),
    PRIMARY KEY (subject_uri, recipient_uri)
);

-- subscriptions: a flattr renewed every month until cancelled.
CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    username     TEXT NOT NULL,
    funder_uri   TEXT NOT NULL,
    thing_uri    TEXT NOT NULL,
    weight       INTEGER NOT NULL CHECK (weight BETWEEN 1 AND 10),
    anonymous    BOOLEAN NOT NULL DEFAULT FALSE,
    last_month   TEXT NOT NULL DEFAULT '',
    cancelled_at DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX subscriptions_live ON subscriptions (funder_uri, thing_uri) WHERE cancelled_at IS NULL;
CREATE INDEX subscriptions_due ON subscriptions (last_month, id) WHERE cancelled_at IS NULL;

-- +goose Down
DROP TABLE subscriptions;
DROP TABLE recipients;
DROP TABLE undone_activities;
DROP TABLE flattrs;
DROP TABLE thing_counts;
DROP TABLE things;
