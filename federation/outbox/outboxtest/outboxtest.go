// Package outboxtest wires the client-to-server outbox to the real use
// cases on a store, for tests of the outbox and of the web layer.
package outboxtest

import (
	"context"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/follows"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/resolve"
)

// Resolver finds remote actors and objects (a dereferencer or a fake).
type Resolver interface {
	outbox.ActorResolver
	outbox.ObjectResolver
}

// origin answers resolve's origin fetches with the Resolver's objects:
// in these tests the resolver (a fake, or a dereferencer on loopback
// servers) is the origin.
type origin struct{ Resolver }

func (o origin) ObjectFromOrigin(ctx context.Context, uri string) (*app.RemoteObject, error) {
	return o.Object(ctx, uri)
}

// Submitter returns a Submitter whose follow, flattr and post use cases
// publish through pub and store in st, as cmd/plaudit wires them.
func Submitter(st *store.Store, pub *outbox.Publisher, remote Resolver, urls federation.URLs) *outbox.Submitter {
	th := things.New(things.Deps{Tx: st.Database, Store: st.Things, Resolver: &resolve.Resolver{Objects: origin{remote}, Actors: remote}, URLs: urls})
	return &outbox.Submitter{
		Follows:    follows.New(follows.Deps{Tx: st.Database, Store: st.Follows, Users: st.Users, Actors: remote, Outbox: pub, URLs: urls}),
		Likes:      flattrs.New(flattrs.Deps{Tx: st.Database, Store: st.Flattrs, Likes: st.Likes, Things: th, Outbox: pub, URLs: urls}),
		Posts:      posts.New(posts.Deps{Tx: st.Database, Store: st.Posts, Outbox: pub, Things: th, URLs: urls}),
		Activities: st.Activities,
		Recipients: pub,
		URLs:       urls,
	}
}
