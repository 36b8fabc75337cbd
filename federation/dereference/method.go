package dereference

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/proof"
)

// ResolveMethod implements proof.Resolver for FEP-521a keys: the
// verification method id is an actor's id with a fragment
// ("…/actor#ed25519-key"); the actor (the id without its fragment) is read
// from the store or fetched with a signed GET like Actor, and must list a
// Multikey with that id in its assertionMethod, controlled by itself. When
// the stored copy lacks the method and is older than MinRefreshInterval,
// the actor is fetched again once (it may have rotated its key). The
// instance actor's own key is read from the keyring, never over HTTP.
func (f *Fetcher) ResolveMethod(ctx context.Context, id string) (*proof.Method, error) {
	if f.urls.IsLocal(id) {
		return f.localMethod(ctx, id)
	}
	actorID, fragment, ok := strings.Cut(id, "#")
	if !ok || fragment == "" {
		return nil, methodError(proof.ErrUnresolved, "%s is not an actor's key (no fragment)", id)
	}
	a, err := f.Actor(ctx, actorID, false)
	if err != nil {
		return nil, fmt.Errorf("verification method %s: %w", id, err)
	}
	doc, key, found, err := assertionMethodOf(a, id)
	if err != nil {
		return nil, err
	}
	if !found && f.now().Sub(a.FetchedAt) >= MinRefreshInterval {
		if a, err = f.Actor(ctx, actorID, true); err != nil {
			return nil, fmt.Errorf("verification method %s: %w", id, err)
		}
		if doc, key, found, err = assertionMethodOf(a, id); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, methodError(proof.ErrNotController, "actor %s does not list %s in its assertionMethod", a.URI, id)
	}
	return f.checkMethod(doc, key, actorID)
}

// assertionMethodOf finds the Multikey id in the stored actor's document.
func assertionMethodOf(a *app.RemoteActor, id string) (*as2.Actor, as2.Multikey, bool, error) {
	doc, err := as2.ParseActor([]byte(a.Document))
	if err != nil {
		return nil, as2.Multikey{}, false, methodError(proof.ErrUnresolved, "stored actor %s does not parse: %v", a.URI, err)
	}
	key, ok := doc.AssertionMethod(id)
	return doc, key, ok, nil
}

// checkMethod makes sure the actor document that lists the key is the one
// the key's id names and is the key's controller, and decodes the key.
func (f *Fetcher) checkMethod(doc *as2.Actor, key as2.Multikey, actorID string) (*proof.Method, error) {
	if !as2.SameID(doc.ID, actorID) {
		return nil, methodError(proof.ErrNotController, "the key %s is listed by %s, not by %s", key.ID, doc.ID, actorID)
	}
	if !as2.SameID(key.Controller, doc.ID) {
		return nil, methodError(proof.ErrNotController, "the key %s is controlled by %q, not by %s", key.ID, key.Controller, doc.ID)
	}
	if key.Expires != "" {
		t, err := time.Parse(time.RFC3339, key.Expires)
		if err != nil {
			return nil, methodError(proof.ErrUnresolved, "the key %s expires at %q, no dateTime", key.ID, key.Expires)
		}
		if !f.now().Before(t) {
			return nil, methodError(proof.ErrExpired, "the key %s expired at %s", key.ID, key.Expires)
		}
	}
	pub, err := proof.DecodeMultikey(key.PublicKeyMultibase)
	if err != nil {
		return nil, methodError(proof.ErrUnresolved, "the key %s: %v", key.ID, err)
	}
	return &proof.Method{ID: key.ID, Controller: doc.ID, PublicKey: pub}, nil
}

// localMethod resolves this instance's one Ed25519 key from the keyring.
func (f *Fetcher) localMethod(ctx context.Context, id string) (*proof.Method, error) {
	if id != f.urls.InstanceEd25519KeyID() || f.keys == nil {
		return nil, methodError(proof.ErrUnresolved, "%s is not a key of this instance", id)
	}
	m, err := f.keys.InstanceMultikey(ctx)
	if err != nil {
		return nil, fmt.Errorf("verification method %s: %w", id, err)
	}
	return &m, nil
}

// methodError is a refused verification method, wrapping kind.
func methodError(kind error, format string, args ...any) error {
	detail := fmt.Sprintf(format, args...)
	return &app.Error{Code: app.EUNAUTHORIZED, Message: kind.Error() + ": " + detail, Err: fmt.Errorf("%w: %s", kind, detail)}
}
