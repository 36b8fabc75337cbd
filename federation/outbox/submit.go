package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// submission is one client-to-server POST being turned into an activity.
type submission struct {
	user  *app.User
	actor string         // the user's actor id
	doc   map[string]any // the activity as it will be published
	now   time.Time
}

// Submit publishes an activity that user POSTed to their outbox
// (ActivityPub client-to-server). body is the JSON the client sent; the
// web layer bounds its size.
//
// Accepted are Follow, Like, Undo (of the user's own Follow or Like) and
// Create of a Note, Article or Page; a bare Note, Article or Page is
// wrapped in a Create. The server assigns the ids (any the client sent are
// replaced, as the specification requires), sets the actor (a different
// actor is app.EFORBIDDEN), fills in the addressing where it is implied,
// drops bto and bcc after using them, and records the local side effect
// (follow, like, or their removal) in the activity's transaction.
func (p *Publisher) Submit(ctx context.Context, user *app.User, body []byte) (*app.Activity, error) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, app.Errorf(app.EINVALID, "the body must be a JSON object")
	}
	s := &submission{user: user, actor: p.deps.URLs.Actor(user.Username), doc: doc, now: p.deps.Now().UTC()}
	if v, ok := doc["actor"]; ok && v != nil && !as2.SameID(as2.IDOf(v), s.actor) {
		return nil, app.Errorf(app.EFORBIDDEN, "the actor must be you (%s)", s.actor)
	}
	types := as2.TypesOf(doc)
	if len(types) == 0 {
		return nil, app.Errorf(app.EINVALID, "the activity has no type")
	}
	switch types[0] {
	case "Note", "Article", "Page":
		s.doc = wrapInCreate(doc)
		return p.submitCreate(ctx, s)
	case "Create":
		return p.submitCreate(ctx, s)
	case "Follow":
		return p.submitFollow(ctx, s)
	case "Like":
		return p.submitLike(ctx, s)
	case "Undo":
		return p.submitUndo(ctx, s)
	}
	return nil, app.Errorf(app.EINVALID, "activity type %q is not supported: send a Follow, Undo, Like, Create, or a Note, Article or Page", types[0])
}

// addressing lists the audience properties of an activity or object.
var addressing = []string{"to", "cc", "bto", "bcc"}

// wrapInCreate wraps a bare object in a Create carrying its audience, as
// ActivityPub 6.2.1 says.
func wrapInCreate(obj map[string]any) map[string]any {
	create := map[string]any{"type": "Create", "object": obj}
	if c, ok := obj["@context"]; ok {
		create["@context"] = c
	}
	for _, k := range append([]string{"audience"}, addressing...) {
		if v, ok := obj[k]; ok {
			create[k] = v
		}
	}
	return create
}

// finish sets the server-assigned fields of s.doc and returns it with its
// recipients (every to, cc, bto and bcc address; bto and bcc are removed).
func (s *submission) finish(id string) (as2.Document, []string) {
	if _, ok := s.doc["@context"]; !ok {
		s.doc["@context"] = as2.ActivityStreamsContext
	}
	s.doc["id"] = id
	s.doc["actor"] = s.actor
	s.doc["published"] = s.now.Format(time.RFC3339)
	var recipients []string
	for _, k := range addressing {
		recipients = append(recipients, idsOf(s.doc[k])...)
	}
	delete(s.doc, "bto")
	delete(s.doc, "bcc")
	return as2.Document(s.doc), recipients
}

// newActivityID returns the id of a new local activity.
func (p *Publisher) newActivityID() string { return p.deps.URLs.Activity(newID()) }

// localUser checks that the local actor uri names an existing user.
func (p *Publisher) localUser(ctx context.Context, uri string) error {
	name, ok := p.deps.URLs.LocalUsername(uri)
	if !ok {
		return app.Errorf(app.EINVALID, "%s is not an actor", uri)
	}
	if _, err := p.deps.Store.UserByUsername(ctx, name); err != nil {
		return fmt.Errorf("local actor %s: %w", uri, err)
	}
	return nil
}

// idsOf is as2.IDsOf, for JSON values and for the []string lists Submit
// writes itself.
func idsOf(v any) []string {
	if list, ok := v.([]string); ok {
		return list
	}
	return as2.IDsOf(v)
}
