package autoflattr

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
)

// Sealer seals access tokens at rest with AES-256-GCM under the
// instance's key.
type Sealer struct{ aead cipher.AEAD }

// NewSealer returns a Sealer for a base64 key of 32 bytes.
func NewSealer(key string) (*Sealer, error) {
	k, err := base64.StdEncoding.DecodeString(key)
	if err != nil || len(k) != 32 {
		return nil, errors.New("the auto-flattr key must be 32 bytes in base64 (openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("auto-flattr key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("auto-flattr key: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain; each seal has its own nonce.
func (s *Sealer) Seal(plain string) string {
	nonce := make([]byte, s.aead.NonceSize())
	_, _ = rand.Read(nonce)
	return base64.RawStdEncoding.EncodeToString(s.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// Open decrypts what Seal sealed.
func (s *Sealer) Open(sealed string) (string, error) {
	b, err := base64.RawStdEncoding.DecodeString(sealed)
	if err != nil || len(b) < s.aead.NonceSize() {
		return "", errors.New("a sealed token that is not one")
	}
	plain, err := s.aead.Open(nil, b[:s.aead.NonceSize()], b[s.aead.NonceSize():], nil)
	if err != nil {
		return "", errors.New("a sealed token that does not open with this key")
	}
	return string(plain), nil
}
