-- +goose Up
-- The instance actor's Ed25519 key signs object integrity proofs
-- (FEP-8b32) of the statements it sends; one row, made on first use, kept
-- beside the RSA key of instance_keys, which HTTP signatures still use.
CREATE TABLE instance_ed25519_keys (
    id                    BIGINT PRIMARY KEY,
    private_key_multibase TEXT NOT NULL,
    public_key_multibase  TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE instance_ed25519_keys;
