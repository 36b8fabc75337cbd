package instance

import (
	"github.com/plaudit/plaudit/app/social"
)

// social makes the use cases of the Mastodon API's timelines and
// notifications; the inbox tells it of Creates, which feed timelines.
func (f *federationParts) social(inst *Instance) *social.Service {
	f.Social = social.New(social.Deps{
		Store: inst.store.Social(), Things: f.Things, Users: inst.store.Users, Actors: inst.store.RemoteActors, URLs: f.URLs,
	})
	return f.Social
}
