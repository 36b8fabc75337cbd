package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/proof"
)

// InstanceEd25519 returns the instance actor's Ed25519 private key, which
// signs object integrity proofs, creating and storing it on first use.
func (k *Keyring) InstanceEd25519(ctx context.Context) (ed25519.PrivateKey, error) {
	k.mu.Lock()
	key := k.ed
	k.mu.Unlock()
	if key != nil {
		return key, nil
	}
	stored, err := k.store.InstanceEd25519Key(ctx, newEd25519Key)
	if err != nil {
		return nil, fmt.Errorf("instance Ed25519 key: %w", err)
	}
	key, err = proof.DecodePrivateMultikey(stored.PrivateKeyMultibase)
	if err != nil {
		return nil, fmt.Errorf("instance Ed25519 key: %w", err)
	}
	k.mu.Lock()
	k.ed = key
	k.mu.Unlock()
	return key, nil
}

// InstanceMultikey returns the instance actor's Ed25519 verification
// method as published in its assertionMethod (FEP-521a).
func (k *Keyring) InstanceMultikey(ctx context.Context) (proof.Method, error) {
	key, err := k.InstanceEd25519(ctx)
	if err != nil {
		return proof.Method{}, err
	}
	return proof.Method{
		ID:         k.urls.InstanceEd25519KeyID(),
		Controller: k.urls.InstanceActor(),
		PublicKey:  key.Public().(ed25519.PublicKey),
	}, nil
}

// SignAsInstance adds an integrity proof by the instance actor to the JSON
// object doc (see proof.Sign), dated created.
func (k *Keyring) SignAsInstance(ctx context.Context, doc []byte, created time.Time) ([]byte, error) {
	key, err := k.InstanceEd25519(ctx)
	if err != nil {
		return nil, err
	}
	return proof.Sign(doc, key, k.urls.InstanceEd25519KeyID(), created)
}

func newEd25519Key() (*app.InstanceEd25519Key, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate Ed25519 key: %w", err)
	}
	return &app.InstanceEd25519Key{
		PrivateKeyMultibase: proof.EncodePrivateMultikey(priv),
		PublicKeyMultibase:  proof.EncodeMultikey(pub),
		CreatedAt:           time.Now().UTC(),
	}, nil
}
