package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// SendProfileUpdate tells user's followers that the profile changed
// (app/profiles.Outbox), with the actor document Deps.Person makes.
func (p *Publisher) SendProfileUpdate(ctx context.Context, user *app.User) (*app.Activity, error) {
	if p.deps.Person == nil {
		return nil, fmt.Errorf("profile update of %s: no actor document builder", user.Username)
	}
	return p.PublishProfileUpdate(ctx, user, p.deps.Person(user))
}

// PublishProfileUpdate tells user's followers that the profile changed,
// as Mastodon does: an Update from the user's actor with person, the
// user's full new actor document (as served at /users/{name}), embedded
// as its object, addressed to the Public collection and the user's
// followers, with person's @context (which defines the actor's extension
// terms). person's id must be the user's actor id.
func (p *Publisher) PublishProfileUpdate(ctx context.Context, user *app.User, person as2.Document) (*app.Activity, error) {
	actorURI := p.deps.URLs.Actor(user.Username)
	if id := person.ID(); id != actorURI {
		return nil, app.Errorf(app.EINVALID, "the actor document %q is not %s's", id, user.Username)
	}
	followers := p.deps.URLs.Followers(user.Username)
	doc := as2.NewActivity(p.deps.URLs.Activity(newID()), "Update", actorURI, person).
		With("to", []string{as2.PublicCollection}).
		With("cc", []string{followers}).
		With("published", p.deps.Now().UTC().Format(time.RFC3339))
	if c, ok := person["@context"]; ok {
		// The embedded Person's terms (publicKey, discoverable…) must stay
		// defined: the Update takes the Person's context.
		doc["@context"] = c
	}
	return p.Publish(ctx, actorURI, doc, []string{followers, as2.PublicCollection})
}
