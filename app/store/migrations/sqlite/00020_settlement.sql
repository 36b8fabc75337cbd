-- +goose Up
-- peers: other Plaudit servers this one settles flattrs with, as their
-- NodeInfo announced them (metadata.plaudit): their instance actor, its
-- inbox and their currency. A close reads this table only, so it does the
-- same on every rerun.
CREATE TABLE peers (
    host             TEXT NOT NULL PRIMARY KEY,
    instance_actor   TEXT NOT NULL DEFAULT '',
    inbox            TEXT NOT NULL DEFAULT '',
    currency         TEXT NOT NULL DEFAULT '',
    settles          BOOLEAN NOT NULL DEFAULT FALSE,
    protocol_version INTEGER NOT NULL DEFAULT 0,
    checked_at       DATETIME NOT NULL
);

-- statements: monthly statements sent to peers (direction 'out') and
-- received from them ('in'), with their state, the reasons of a dispute
-- and the signed document as sent or received.
CREATE TABLE statements (
    uri        TEXT NOT NULL PRIMARY KEY,
    direction  TEXT NOT NULL,
    peer_host  TEXT NOT NULL,
    month      TEXT NOT NULL,
    version    INTEGER NOT NULL,
    supersedes TEXT NOT NULL DEFAULT '',
    currency   TEXT NOT NULL,
    total      BIGINT NOT NULL,
    lines      BIGINT NOT NULL,
    state      TEXT NOT NULL,
    reasons    TEXT NOT NULL DEFAULT '',
    document   TEXT NOT NULL DEFAULT '',
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    UNIQUE (direction, peer_host, month, version)
);

-- statement_lines: a statement's line items (a Like, its thing, the
-- amount the Like's funder gave it).
CREATE TABLE statement_lines (
    statement_uri TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    like_uri      TEXT NOT NULL,
    thing_uri     TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    PRIMARY KEY (statement_uri, idx)
);
CREATE INDEX statement_lines_like_idx ON statement_lines (like_uri);

-- statement_events: the history of a statement's states.
CREATE TABLE statement_events (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    statement_uri TEXT NOT NULL,
    state         TEXT NOT NULL,
    note          TEXT NOT NULL DEFAULT '',
    at            DATETIME NOT NULL
);
CREATE INDEX statement_events_statement_idx ON statement_events (statement_uri, id);

-- statement_credits: what an accepted incoming statement credited to each
-- local creator (pending until the peer settles).
CREATE TABLE statement_credits (
    statement_uri TEXT NOT NULL,
    creator_uri   TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    PRIMARY KEY (statement_uri, creator_uri)
);

-- settlements: the transfer that settled a month with a peer, as
-- confirmed here or by the peer's signed message.
CREATE TABLE settlements (
    peer_host    TEXT NOT NULL,
    month        TEXT NOT NULL,
    currency     TEXT NOT NULL,
    outgoing     BIGINT NOT NULL,
    incoming     BIGINT NOT NULL,
    net          BIGINT NOT NULL,
    reference    TEXT NOT NULL,
    uri          TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    ledger_key   TEXT NOT NULL,
    document     TEXT NOT NULL DEFAULT '',
    created_at   DATETIME NOT NULL,
    PRIMARY KEY (peer_host, month)
);

-- +goose Down
DROP TABLE settlements;
DROP TABLE statement_credits;
DROP TABLE statement_events;
DROP TABLE statement_lines;
DROP TABLE statements;
DROP TABLE peers;
