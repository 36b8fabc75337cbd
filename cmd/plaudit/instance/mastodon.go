package instance

import (
	"context"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/social"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/resolve"
	"github.com/plaudit/plaudit/federation/transport"
)

// social makes the use cases of the Mastodon API's timelines,
// notifications, accounts and posting; the inbox tells it of Creates,
// which feed timelines.
func (f *federationParts) social(inst *Instance) *social.Service {
	scheme := "https"
	if inst.config.Federation.AllowHTTP {
		scheme = "http"
	}
	st := inst.store
	f.Social = social.New(social.Deps{
		Tx: st.Database, Store: st.Social(), Things: f.Things, Users: st.Users, Actors: st.RemoteActors,
		Posts: f.Posts, Follows: f.Follows, FollowStore: st.Follows, URLs: f.URLs,
		Handles: &handles{client: f.Client, scheme: scheme, actors: f.Fetcher},
	})
	return f.Social
}

// handles finds remote actors by handle: WebFinger on their host, then
// the actor fetched (and stored) from the id it names.
type handles struct {
	client *transport.Client
	scheme string
	actors *dereference.Fetcher
}

func (h *handles) ResolveHandle(ctx context.Context, handle string) (*app.RemoteActor, error) {
	uri, err := resolve.WebFinger(ctx, h.client, h.scheme, handle)
	if err != nil {
		return nil, err
	}
	return h.actors.Actor(ctx, uri, false)
}
