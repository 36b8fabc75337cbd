// Package keys gives local actors their signing keys: each user's RSA key
// pair (made at sign-up) and the instance actor's (made on first use), and
// the instance actor's Ed25519 key for object integrity proofs (made on
// first use too).
package keys

import (
	"context"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/httpsig"
)

// Store is what the keyring reads.
type Store interface {
	InstanceKey(ctx context.Context, create func() (*app.InstanceKey, error)) (*app.InstanceKey, error)
	InstanceEd25519Key(ctx context.Context, create func() (*app.InstanceEd25519Key, error)) (*app.InstanceEd25519Key, error)
	PrivateKeyPEM(ctx context.Context, username string) (string, error)
}

// Keyring hands out signers for local actors. Parsed private keys are
// cached: parsing a PEM costs more than signing.
type Keyring struct {
	store Store
	urls  federation.URLs

	mu     sync.Mutex
	parsed map[string]*rsa.PrivateKey // PEM → key
	ed     ed25519.PrivateKey         // the instance's, once read
}

// New returns a Keyring.
func New(store Store, urls federation.URLs) *Keyring {
	return &Keyring{store: store, urls: urls, parsed: map[string]*rsa.PrivateKey{}}
}

// Instance returns the instance actor's key, creating it on first use.
func (k *Keyring) Instance(ctx context.Context) (*app.InstanceKey, error) {
	key, err := k.store.InstanceKey(ctx, func() (*app.InstanceKey, error) {
		priv, err := httpsig.GenerateKey()
		if err != nil {
			return nil, err
		}
		privPEM, err := httpsig.EncodePrivateKeyPEM(priv)
		if err != nil {
			return nil, err
		}
		pubPEM, err := httpsig.EncodePublicKeyPEM(&priv.PublicKey)
		if err != nil {
			return nil, err
		}
		return &app.InstanceKey{PrivateKeyPEM: privPEM, PublicKeyPEM: pubPEM, CreatedAt: time.Now().UTC()}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("instance key: %w", err)
	}
	return key, nil
}

// InstanceSigner signs as the instance actor (signed fetches).
func (k *Keyring) InstanceSigner(ctx context.Context) (*httpsig.Signer, error) {
	key, err := k.Instance(ctx)
	if err != nil {
		return nil, err
	}
	priv, err := k.parse(key.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("instance key: %w", err)
	}
	return httpsig.NewSigner(k.urls.InstanceKeyID(), priv), nil
}

// UserSigner signs as a local user's actor (deliveries).
func (k *Keyring) UserSigner(ctx context.Context, username string) (*httpsig.Signer, error) {
	pemText, err := k.store.PrivateKeyPEM(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("signer for %s: %w", username, err)
	}
	priv, err := k.parse(pemText)
	if err != nil {
		return nil, fmt.Errorf("signer for %s: %w", username, err)
	}
	return httpsig.NewSigner(k.urls.KeyID(username), priv), nil
}

// SignerFor signs as the local actor with id actorURI: a user or the
// instance actor.
func (k *Keyring) SignerFor(ctx context.Context, actorURI string) (*httpsig.Signer, error) {
	if actorURI == k.urls.InstanceActor() {
		return k.InstanceSigner(ctx)
	}
	username, ok := k.urls.LocalUsername(actorURI)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "%s is not a local actor", actorURI)
	}
	return k.UserSigner(ctx, username)
}

func (k *Keyring) parse(pemText string) (*rsa.PrivateKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.parsed[pemText]; ok {
		return key, nil
	}
	key, err := httpsig.ParsePrivateKeyPEM(pemText)
	if err != nil {
		return nil, err
	}
	if len(k.parsed) > 10000 {
		clear(k.parsed)
	}
	k.parsed[pemText] = key
	return key, nil
}
