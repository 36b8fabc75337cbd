package dereference

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/httpsig"
)

// MinRefreshInterval is how long after fetching a key a refresh of it is
// answered from the store instead of fetched again.
const MinRefreshInterval = time.Minute

// ResolveKey implements httpsig.KeyResolver. Without refresh a stored actor
// holding keyID answers; otherwise, or with refresh, the document at keyID
// (without its fragment) is fetched. It may be the actor itself (Mastodon's
// "…#main-key"), the owner's actor document served at the key's URL
// (GoToSocial's "…/main-key") or a standalone key document with an owner.
// Whichever it is, the owner must be an actor on the key's host whose own
// document lists keyID with a PEM. Failures wrap httpsig.ErrUnknownKey;
// when the owner is gone (404, 410, or known deleted) they also wrap an
// app.ENOTFOUND error. Resolved keys are kept in memory for KeyCacheTTL,
// failed fetches are remembered for NegativeTTL, and a refresh within
// MinRefreshInterval of the last fetch answers from the store.
func (f *Fetcher) ResolveKey(ctx context.Context, keyID string, refresh bool) (*httpsig.PublicKey, error) {
	if f.urls.IsLocal(keyID) {
		return f.localKey(ctx, keyID)
	}
	if refresh {
		if a, ok := f.recentlyFetched(ctx, keyID); ok {
			return f.publicKey(a, keyID)
		}
	} else if key, ok := f.known.Get(keyID); ok {
		return key, nil
	} else if key, done, err := f.storedKey(ctx, keyID); done {
		return key, err
	}
	a, err := f.fetchKeyOwner(ctx, keyID)
	if err != nil {
		if app.ErrorCode(err) == app.EINTERNAL && !fetchFailed(err) {
			return nil, err // our own failure (the database), not the key's
		}
		err = unknownKey(keyID, err)
		f.negative.Put(keyID, err)
		return nil, err
	}
	return f.publicKey(a, keyID)
}

// storedKey answers from the store or the negative cache; done is false
// when the key has to be fetched.
func (f *Fetcher) storedKey(ctx context.Context, keyID string) (*httpsig.PublicKey, bool, error) {
	a, err := f.store.RemoteActorByKeyID(ctx, keyID)
	switch {
	case err == nil && a.DeletedAt != nil:
		return nil, true, unknownKey(keyID, goneError("actor", a.URI, nil))
	case err == nil:
		key, err := f.publicKey(a, keyID)
		return key, true, err
	case !errors.Is(err, app.ErrNotFound):
		return nil, true, fmt.Errorf("key %s: %w", keyID, err)
	}
	if err, ok := f.negative.Get(keyID); ok {
		return nil, true, err
	}
	return nil, false, nil
}

// unknownKey wraps cause as httpsig.ErrUnknownKey for keyID.
func unknownKey(keyID string, cause error) error {
	return fmt.Errorf("%w: %s: %w", httpsig.ErrUnknownKey, keyID, cause)
}

// recentlyFetched returns the stored owner of keyID when it was fetched
// less than MinRefreshInterval ago: a refresh would bring the same key, and
// refusing it keeps forged signatures from making us refetch keys in a loop.
func (f *Fetcher) recentlyFetched(ctx context.Context, keyID string) (*app.RemoteActor, bool) {
	a, err := f.store.RemoteActorByKeyID(ctx, keyID)
	if err != nil || a.DeletedAt != nil {
		return nil, false
	}
	return a, f.now().Sub(a.FetchedAt) < MinRefreshInterval
}

// fetchKeyOwner fetches the document at keyID and from it the actor that
// owns the key, stored with that key.
func (f *Fetcher) fetchKeyOwner(ctx context.Context, keyID string) (*app.RemoteActor, error) {
	select {
	case f.fetching <- struct{}{}:
		defer func() { <-f.fetching }()
	default:
		return nil, fmt.Errorf("key %s: %w", keyID, httpsig.ErrKeyFetchBusy)
	}
	docURL := stripFragment(keyID)
	resp, err := f.client.Get(ctx, docURL, "")
	if err != nil {
		if missing(err) {
			f.markActorGone(ctx, docURL)
		}
		return nil, fetchFailure("key", keyID, err)
	}
	owner, err := keyOwner(keyID, docURL, resp.Body)
	if err != nil {
		return nil, err
	}
	if doc, err := as2.ParseActor(resp.Body); err == nil && checkOrigin(docURL, resp.FinalURL, doc.ID) == nil {
		// The key's URL is the actor's ("actor#main-key"): no second fetch.
		a, err := f.saveActor(ctx, doc, resp.Body, keyID)
		if err != nil {
			return nil, err
		}
		return a, checkListsKey(a, keyID)
	}
	// The key's URL served a key document, or a stand-in for the actor
	// (GoToSocial): the owner's own document decides.
	a, err := f.fetchActor(ctx, owner, keyID)
	if err != nil {
		return nil, err
	}
	return a, checkListsKey(a, keyID)
}

// keyOwner reads who owns keyID from the document served at its URL: an
// actor (its id), or a key document (its owner, when its id is keyID). The
// owner must be on the key's host.
func keyOwner(keyID, docURL string, body []byte) (string, error) {
	var owner string
	if doc, err := as2.ParseActor(body); err == nil {
		owner = doc.ID
	} else {
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			return "", invalidf("the document at %s is neither an actor nor a key", docURL)
		}
		if id := as2.IDOf(m); !as2.SameID(id, keyID) && !as2.SameID(id, docURL) {
			return "", invalidf("the key document at %s claims the id %s", docURL, id)
		}
		owner = as2.IDOf(m["owner"])
	}
	if owner == "" {
		return "", invalidf("the key %s names no owner", keyID)
	}
	if !SameHost(owner, keyID) {
		return "", invalidf("the key %s is owned by %s, on another host", keyID, owner)
	}
	return owner, nil
}

// checkListsKey makes sure the stored actor holds keyID.
func checkListsKey(a *app.RemoteActor, keyID string) error {
	if a.PublicKeyPEM == "" || !as2.SameID(a.KeyID, keyID) {
		return invalidf("actor %s does not list the key %s", a.URI, keyID)
	}
	return nil
}

// publicKey parses the stored actor's key and keeps it in memory.
func (f *Fetcher) publicKey(a *app.RemoteActor, keyID string) (*httpsig.PublicKey, error) {
	if a.PublicKeyPEM == "" {
		return nil, fmt.Errorf("%w: actor %s has no key %s", httpsig.ErrUnknownKey, a.URI, keyID)
	}
	key, err := f.parsed.parse(a.PublicKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("key %s of %s: %w: %w", keyID, a.URI, httpsig.ErrUnsupportedKey, err)
	}
	pub := &httpsig.PublicKey{Key: key, Owner: a.URI}
	f.known.Put(keyID, pub)
	return pub, nil
}
