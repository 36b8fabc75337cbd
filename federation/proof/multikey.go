package proof

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"github.com/mr-tron/base58"
)

// Multicodec prefixes (unsigned varints) of Ed25519 keys.
var (
	ed25519PubPrefix  = []byte{0xed, 0x01}
	ed25519PrivPrefix = []byte{0x80, 0x26}
)

// EncodeMultikey returns pub as a Multikey publicKeyMultibase: "z" then
// base58btc of the ed25519-pub multicodec prefix and the 32 key bytes
// ("z6Mk…").
func EncodeMultikey(pub ed25519.PublicKey) string {
	return "z" + base58.Encode(append(bytes.Clone(ed25519PubPrefix), pub...))
}

// DecodeMultikey parses a publicKeyMultibase holding an Ed25519 public key.
func DecodeMultikey(s string) (ed25519.PublicKey, error) {
	raw, err := decodeMultibase(s)
	if err != nil {
		return nil, fmt.Errorf("multikey: %w", err)
	}
	key, ok := bytes.CutPrefix(raw, ed25519PubPrefix)
	if !ok || len(key) != ed25519.PublicKeySize {
		return nil, errors.New("multikey: not an Ed25519 public key")
	}
	return ed25519.PublicKey(key), nil
}

// EncodePrivateMultikey returns key's seed as a secretKeyMultibase: "z"
// then base58btc of the ed25519-priv multicodec prefix and the 32 seed
// bytes. It is how Plaudit stores the instance key.
func EncodePrivateMultikey(key ed25519.PrivateKey) string {
	return "z" + base58.Encode(append(bytes.Clone(ed25519PrivPrefix), key.Seed()...))
}

// DecodePrivateMultikey parses a secretKeyMultibase holding an Ed25519
// seed (multicodec ed25519-priv), as test vectors publish them.
func DecodePrivateMultikey(s string) (ed25519.PrivateKey, error) {
	raw, err := decodeMultibase(s)
	if err != nil {
		return nil, fmt.Errorf("private multikey: %w", err)
	}
	seed, ok := bytes.CutPrefix(raw, ed25519PrivPrefix)
	if !ok || len(seed) != ed25519.SeedSize {
		return nil, errors.New("private multikey: not an Ed25519 seed")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// decodeMultibase decodes a base58btc multibase string ("z…").
func decodeMultibase(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "z")
	if !ok || rest == "" {
		return nil, errors.New("not multibase base58btc")
	}
	raw, err := base58.Decode(rest)
	if err != nil {
		return nil, fmt.Errorf("base58btc: %w", err)
	}
	return raw, nil
}
