// Package resolve finds the thing behind a URL on another server
// (app/things.Resolver): the ActivityPub object at that URL, fetched from
// its origin, with its owner confirmed only when the origin names it.
package resolve

import (
	"context"
	"fmt"
	"net/url"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/federation/as2"
)

// Objects fetches remote objects (implemented by *dereference.Fetcher).
type Objects interface {
	Object(ctx context.Context, uri string) (*app.RemoteObject, error)
}

// Actors fetches remote actors (implemented by *dereference.Fetcher).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// Resolver implements things.Resolver.
type Resolver struct {
	Objects Objects
	// Actors, when set, fetches the owner too: it must exist, and a Like
	// sent to it later finds its inbox without a fetch.
	Actors Actors
}

// ResolveThing fetches rawURL as an ActivityPub object and describes it as
// a thing. Its owner is its attributedTo, confirmed when that actor is on
// the object's own host (an object cannot give its money to an actor of
// another server by naming it).
func (r *Resolver) ResolveThing(ctx context.Context, rawURL string) (*app.Thing, error) {
	o, err := r.Objects.Object(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", rawURL, err)
	}
	if o.DeletedAt != nil {
		return nil, app.Errorf(app.ENOTFOUND, "%s was deleted", rawURL)
	}
	t := &app.Thing{
		URI: o.URI, OwnerURI: o.AttributedTo, Kind: o.Type, Title: o.Name,
		Summary: things.Excerpt(o.Summary, o.Content), URL: o.URL, Host: hostOf(o.URI),
	}
	if t.URL == "" {
		t.URL = o.URI
	}
	t.OwnerConfirmed = t.OwnerURI != "" && hostOf(t.OwnerURI) == t.Host
	t.ApprovalRequired = as2.LikeNeedsApproval([]byte(o.Document))
	if t.OwnerURI != "" && r.Actors != nil {
		if _, err := r.Actors.Actor(ctx, t.OwnerURI, false); err != nil {
			return nil, fmt.Errorf("owner of %s: %w", rawURL, err)
		}
	}
	return t, nil
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}
