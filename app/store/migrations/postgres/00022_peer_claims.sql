-- +goose Up
-- claim_notices: which peers were told of a verified claim made here of an
-- account on another server (they may hold escrow for it).
CREATE TABLE claim_notices (
    claim_id  BIGINT NOT NULL,
    peer_host TEXT NOT NULL,
    sent_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (claim_id, peer_host)
);

-- peer_claims: claims made on a peer, of accounts this instance holds
-- escrow for, as the peer told them and this instance checked them.
CREATE TABLE peer_claims (
    subject    TEXT NOT NULL,
    peer_host  TEXT NOT NULL,
    claimant   TEXT NOT NULL,
    uri        TEXT NOT NULL,
    checked_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (subject, peer_host)
);

-- peer_escrow_lines: escrow released to a creator who claimed the account
-- on a peer: owed to the peer, it travels in the statement of
-- statement_month to that peer, a line per Like.
CREATE TABLE peer_escrow_lines (
    statement_month TEXT NOT NULL,
    peer_host       TEXT NOT NULL,
    activity_uri    TEXT NOT NULL,
    thing_uri       TEXT NOT NULL,
    claimant        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    PRIMARY KEY (peer_host, activity_uri)
);

ALTER TABLE statement_lines ADD COLUMN claimant TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE statement_lines DROP COLUMN claimant;
DROP TABLE peer_escrow_lines;
DROP TABLE peer_claims;
DROP TABLE claim_notices;
