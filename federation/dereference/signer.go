package dereference

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/keys"
)

// signerReload is how long InstanceSigner keeps the instance key before
// reading it from the database again.
const signerReload = 10 * time.Minute

// InstanceSigner signs requests as the instance actor. It implements
// transport.RequestSigner, whose methods take no context: the key is
// loaded, on first use, with the request's context, and kept for a while.
type InstanceSigner struct {
	keys *keys.Keyring

	mu       sync.Mutex
	signer   *httpsig.Signer
	loadedAt time.Time
}

// NewInstanceSigner returns a signer for the instance actor of k. Give it
// to transport.New as Options.Signer.
func NewInstanceSigner(k *keys.Keyring) *InstanceSigner {
	return &InstanceSigner{keys: k}
}

// SignGET implements transport.RequestSigner.
func (s *InstanceSigner) SignGET(r *http.Request, withQuery bool) error {
	sg, err := s.load(r.Context())
	if err != nil {
		return err
	}
	return sg.SignGET(r, withQuery)
}

// SignPOST implements transport.RequestSigner.
func (s *InstanceSigner) SignPOST(r *http.Request, body []byte) error {
	sg, err := s.load(r.Context())
	if err != nil {
		return err
	}
	return sg.SignPOST(r, body)
}

func (s *InstanceSigner) load(ctx context.Context) (*httpsig.Signer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.signer != nil && time.Since(s.loadedAt) < signerReload {
		return s.signer, nil
	}
	sg, err := s.keys.InstanceSigner(ctx)
	if err != nil {
		return nil, fmt.Errorf("instance signer: %w", err)
	}
	s.signer, s.loadedAt = sg, time.Now()
	return sg, nil
}
