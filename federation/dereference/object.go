package dereference

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Object returns the remote object with id uri (a Note, Article, Video…):
// the stored copy when younger than MaxAge, else a fetched one. The fetched
// document must carry the id asked for (or, after a redirect, an id on the
// host that answered), must not be an actor, and may only be attributed to
// actors on its own host. A 404 or 410 marks a stored copy deleted and
// returns app.ENOTFOUND, as does a copy already known deleted. When a fetch
// fails for another reason a stale copy is returned. Local objects are
// refused with app.EINVALID.
func (f *Fetcher) Object(ctx context.Context, uri string) (*app.RemoteObject, error) {
	if f.urls.IsLocal(uri) {
		return nil, invalidf("%s is a local object", uri)
	}
	cached, err := f.store.RemoteObjectByURI(ctx, uri)
	switch {
	case errors.Is(err, app.ErrNotFound):
		cached = nil
	case err != nil:
		return nil, fmt.Errorf("object %s: %w", uri, err)
	case cached.DeletedAt != nil:
		return nil, goneError("object", uri, nil)
	case f.fresh(cached.UpdatedAt):
		return cached, nil
	}
	o, err := f.fetchObject(ctx, uri)
	if err != nil && cached != nil && fetchFailed(err) {
		f.log.WarnContext(ctx, "refreshing object failed, using stale copy", "object", uri, "err", err)
		return cached, nil
	}
	return o, err
}

func (f *Fetcher) fetchObject(ctx context.Context, uri string) (*app.RemoteObject, error) {
	resp, err := f.client.Get(ctx, uri, "")
	if err != nil {
		if missing(err) {
			if _, err := f.store.MarkRemoteObjectDeleted(ctx, uri, f.now().UTC()); err != nil {
				f.log.WarnContext(ctx, "marking a gone object deleted failed", "object", uri, "err", err)
			}
		}
		return nil, fetchFailure("object", uri, err)
	}
	doc, err := as2.ParseObject(resp.Body)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("the document at %s is not an object", uri), Err: err}
	}
	if as2.IsActorType(doc.Type) {
		return nil, invalidf("%s is an actor, not an object", uri)
	}
	if err := checkOrigin(uri, resp.FinalURL, doc.ID); err != nil {
		return nil, err
	}
	if err := CheckAttribution(doc); err != nil {
		return nil, err
	}
	o := RemoteObjectOf(doc)
	if err := f.store.UpsertRemoteObject(ctx, o); err != nil {
		return nil, fmt.Errorf("store object %s: %w", doc.ID, err)
	}
	return o, nil
}
