package dereference

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// ObjectFromOrigin fetches the object with id uri from its own id now (a
// signed GET), whatever copy is stored, stores what it got and returns
// it. Use it wherever the answer decides who is paid: a stored copy may
// have arrived in an inbox, and an inbox copy speaks only for the actor
// who sent it, not for the object's origin. The checks of Object apply:
// the document must carry the id asked for, must not be an actor, and may
// only be attributed to actors on its own host.
func (f *Fetcher) ObjectFromOrigin(ctx context.Context, uri string) (*app.RemoteObject, error) {
	if f.urls.IsLocal(uri) {
		return nil, invalidf("%s is a local object", uri)
	}
	return f.fetchObject(ctx, uri)
}

// FetchFailure describes a failed GET of uri (what names it: "page",
// "feed") as an app error: 404 and 410 are app.ENOTFOUND, an address the
// SSRF guard refuses or a body over the limit app.EINVALID, a server that
// failed or did not answer app.EUNAVAILABLE.
func FetchFailure(what, uri string, err error) error { return fetchFailure(what, uri, err) }
