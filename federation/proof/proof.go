package proof

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mr-tron/base58"
)

// The proof's fixed values.
const (
	// Type is the proof type Plaudit signs and accepts.
	Type = "DataIntegrityProof"
	// Cryptosuite is the only suite Plaudit signs with and accepts.
	Cryptosuite = "eddsa-jcs-2022"
	// Purpose is the proofPurpose FEP-8b32 requires.
	Purpose = "assertionMethod"
	// DataIntegrityContext defines DataIntegrityProof and its terms; a
	// signed document should list it in its @context.
	DataIntegrityContext = "https://w3id.org/security/data-integrity/v1"
	// MultikeyContext defines Multikey and publicKeyMultibase (FEP-521a).
	MultikeyContext = "https://w3id.org/security/multikey/v1"
)

// Sign adds an eddsa-jcs-2022 DataIntegrityProof, made with key and naming
// verificationMethod (the id of the key's Multikey, e.g.
// "https://host/actor#ed25519-key"), to the JSON object doc and returns the
// signed document, in canonical (JCS) form. created is written in UTC to
// the second; a zero created is left out. The proof's @context is the
// document's, as FEP-8b32 shows. A document that already has a proof, has
// duplicate keys or invalid UTF-8 is refused.
func Sign(doc []byte, key ed25519.PrivateKey, verificationMethod string, created time.Time) ([]byte, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("sign: not an Ed25519 private key")
	}
	if verificationMethod == "" {
		return nil, errors.New("sign: no verification method")
	}
	m, err := canonicalMembers(doc)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if _, ok := m["proof"]; ok {
		return nil, errors.New("sign: the document already has a proof")
	}
	opts := map[string]any{
		"type":               Type,
		"cryptosuite":        Cryptosuite,
		"verificationMethod": verificationMethod,
		"proofPurpose":       Purpose,
	}
	if c, err := m.value("@context"); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	} else if c != nil {
		opts["@context"] = c
	}
	if !created.IsZero() {
		opts["created"] = created.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	data, err := hashData(opts, m)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	opts["proofValue"] = "z" + base58.Encode(ed25519.Sign(key, data))
	if m["proof"], err = canonicalValue(opts); err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return m.join(), nil
}

// hashData is the eddsa-jcs-2022 hash: SHA-256 of the canonical proof
// configuration followed by SHA-256 of the canonical unsecured document.
func hashData(proofConfig map[string]any, unsecured members) ([]byte, error) {
	cfg, err := canonicalValue(proofConfig)
	if err != nil {
		return nil, fmt.Errorf("proof configuration: %w", err)
	}
	h1, h2 := sha256.Sum256(cfg), sha256.Sum256(unsecured.join())
	return append(h1[:], h2[:]...), nil
}

// marshal writes v as JSON without HTML escapes.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
