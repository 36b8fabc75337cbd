package dereference

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Actor returns the remote actor with id uri: the stored copy when it is
// younger than MaxAge and refresh is false, else a copy fetched with a
// signed GET. The fetched document must carry the id asked for or, after a
// redirect, an id on the host that answered (the actor is then stored, and
// returned, under that id). A 404 or 410 marks a stored copy deleted and
// returns an app.ENOTFOUND error; an actor already known to be deleted is
// not fetched again unless refresh is set. When a fetch fails for another
// reason and refresh is false, a stale copy is returned rather than
// nothing. Local actors are refused with app.EINVALID.
func (f *Fetcher) Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error) {
	if f.urls.IsLocal(uri) {
		return nil, invalidf("%s is a local actor", uri)
	}
	cached, err := f.store.RemoteActorByURI(ctx, uri)
	switch {
	case errors.Is(err, app.ErrNotFound):
		cached = nil
	case err != nil:
		return nil, fmt.Errorf("actor %s: %w", uri, err)
	case !refresh && cached.DeletedAt != nil:
		return nil, goneError("actor", uri, nil)
	case !refresh && f.fresh(cached.FetchedAt):
		return cached, nil
	}
	a, err := f.fetchActor(ctx, uri, "")
	if err == nil {
		return a, nil
	}
	if cached != nil && cached.DeletedAt == nil && !refresh && fetchFailed(err) {
		f.log.WarnContext(ctx, "refreshing actor failed, using stale copy", "actor", uri, "fetched_at", cached.FetchedAt, "err", err)
		return cached, nil
	}
	return nil, err
}

// fetchActor GETs the actor at uri, checks it and stores it, keeping the
// key preferKeyID if the actor lists several.
func (f *Fetcher) fetchActor(ctx context.Context, uri, preferKeyID string) (*app.RemoteActor, error) {
	resp, err := f.client.Get(ctx, uri, "")
	if err != nil {
		if missing(err) {
			f.markActorGone(ctx, uri)
		}
		return nil, fetchFailure("actor", uri, err)
	}
	doc, err := as2.ParseActor(resp.Body)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("the document at %s is not an actor", uri), Err: err}
	}
	if err := checkOrigin(uri, resp.FinalURL, doc.ID); err != nil {
		return nil, err
	}
	return f.saveActor(ctx, doc, resp.Body, preferKeyID)
}

// saveActor stores a checked actor document.
func (f *Fetcher) saveActor(ctx context.Context, doc *as2.Actor, raw []byte, preferKeyID string) (*app.RemoteActor, error) {
	a := RemoteActorOf(doc, raw, preferKeyID, f.now())
	if err := f.store.UpsertRemoteActor(ctx, a); err != nil {
		return nil, fmt.Errorf("store actor %s: %w", doc.ID, err)
	}
	if a.KeyID != "" {
		f.negative.Forget(a.KeyID)
		f.known.Forget(a.KeyID)
	}
	return a, nil
}

// markActorGone records that the actor at uri answered 404 or 410. Failing
// to record it is only logged: the caller reports the actor missing anyway.
func (f *Fetcher) markActorGone(ctx context.Context, uri string) {
	if err := f.store.MarkRemoteActorDeleted(ctx, uri, f.now().UTC()); err != nil {
		f.log.WarnContext(ctx, "marking a gone actor deleted failed", "actor", uri, "err", err)
		return
	}
	f.log.InfoContext(ctx, "remote actor is gone", "actor", uri)
}
