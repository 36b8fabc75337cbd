package dereference

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/httpsig"
)

// localKey resolves a keyId of this instance from the database: the
// instance actor's key or a user's "…/users/NAME#main-key".
func (f *Fetcher) localKey(ctx context.Context, keyID string) (*httpsig.PublicKey, error) {
	if keyID == f.urls.InstanceKeyID() {
		if f.keys == nil {
			return nil, fmt.Errorf("%w: %s: no keyring", httpsig.ErrUnknownKey, keyID)
		}
		k, err := f.keys.Instance(ctx)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", keyID, err)
		}
		return f.localPublicKey(keyID, k.PublicKeyPEM, f.urls.InstanceActor())
	}
	actor, ok := strings.CutSuffix(keyID, "#main-key")
	username, isUser := f.urls.LocalUsername(actor)
	if !ok || !isUser {
		return nil, fmt.Errorf("%w: %s is not a key of this instance", httpsig.ErrUnknownKey, keyID)
	}
	u, err := f.store.UserByUsername(ctx, username)
	if errors.Is(err, app.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s: no such user", httpsig.ErrUnknownKey, keyID)
	}
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", keyID, err)
	}
	return f.localPublicKey(keyID, u.PublicKeyPEM, f.urls.Actor(u.Username))
}

func (f *Fetcher) localPublicKey(keyID, pemText, owner string) (*httpsig.PublicKey, error) {
	if pemText == "" {
		return nil, fmt.Errorf("%w: %s has no key yet", httpsig.ErrUnknownKey, keyID)
	}
	key, err := f.parsed.parse(pemText)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w: %w", keyID, httpsig.ErrUnsupportedKey, err)
	}
	return &httpsig.PublicKey{Key: key, Owner: owner}, nil
}
