-- +goose Up
-- escrow_notices: the mentions sent to owners who have not joined, telling
-- them how much waits for them in escrow (at most one a month each).
CREATE TABLE escrow_notices (
    owner_uri TEXT NOT NULL,
    month     TEXT NOT NULL,
    amount    BIGINT NOT NULL,
    outcome   TEXT NOT NULL,
    sent_at   DATETIME NOT NULL,
    PRIMARY KEY (owner_uri, month)
);

-- +goose Down
DROP TABLE escrow_notices;
