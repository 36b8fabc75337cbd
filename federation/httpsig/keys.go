package httpsig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// KeyBits is the size of the RSA keys GenerateKey makes: 2048 bits, what
// Mastodon and most of the fediverse use.
const KeyBits = 2048

// Bounds on the RSA keys accepted from others: smaller ones are forgeable,
// larger ones make every verification slow.
const (
	minRSABits = 1024
	maxRSABits = 8192
)

// GenerateKey makes a new RSA-2048 key pair for an actor.
func GenerateKey() (*rsa.PrivateKey, error) {
	key, err := rsa.GenerateKey(rand.Reader, KeyBits)
	if err != nil {
		return nil, fmt.Errorf("generate rsa key: %w", err)
	}
	return key, nil
}

// EncodePrivateKeyPEM encodes key as a PKCS #8 "PRIVATE KEY" PEM block.
func EncodePrivateKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", fmt.Errorf("encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// EncodePublicKeyPEM encodes an RSA or Ed25519 public key as a PKIX
// "PUBLIC KEY" PEM block, the form an actor's publicKeyPem takes.
func EncodePublicKeyPEM(key crypto.PublicKey) (string, error) {
	if err := checkPublicKey(key); err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// ParsePrivateKeyPEM decodes an RSA private key in a PKCS #8 "PRIVATE KEY" or
// PKCS #1 "RSA PRIVATE KEY" PEM block.
func ParsePrivateKeyPEM(s string) (*rsa.PrivateKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse private key: no PEM block")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		key, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		return key, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse private key: %w", err)
		}
		key, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("parse private key: %T is not an RSA key", k)
		}
		return key, nil
	default:
		return nil, fmt.Errorf("parse private key: unexpected PEM block %q", block.Type)
	}
}

// ParsePublicKeyPEM decodes a public key in a PKIX "PUBLIC KEY" or PKCS #1
// "RSA PUBLIC KEY" PEM block. It returns an *rsa.PublicKey or an
// ed25519.PublicKey; other key types, and RSA keys under 1024 or over 8192
// bits, are refused with ErrUnsupportedKey.
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("parse public key: no PEM block")
	}
	var (
		key crypto.PublicKey
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("parse public key: unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	if err := checkPublicKey(key); err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	return key, nil
}

// checkPublicKey accepts RSA keys of a sane size and Ed25519 keys.
func checkPublicKey(key crypto.PublicKey) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if k == nil || k.N == nil {
			return fmt.Errorf("%w: empty RSA key", ErrUnsupportedKey)
		}
		if bits := k.N.BitLen(); bits < minRSABits || bits > maxRSABits {
			return fmt.Errorf("%w: %d-bit RSA key", ErrUnsupportedKey, bits)
		}
		return nil
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: ed25519 key of %d bytes", ErrUnsupportedKey, len(k))
		}
		return nil
	default:
		return fmt.Errorf("%w: %T", ErrUnsupportedKey, key)
	}
}
