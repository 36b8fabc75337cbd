package outbox

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
)

// Follows are the follow use cases C2S calls (implemented by
// app/follows.Service).
type Follows interface {
	Follow(ctx context.Context, username, followeeURI string) (*app.Activity, error)
	Unfollow(ctx context.Context, f *app.Follow) (*app.Activity, error)
	FollowByActivity(ctx context.Context, activityURI string) (*app.Follow, error)
}

// Likes are the flattr use cases C2S calls (implemented by
// app/flattrs.Service).
type Likes interface {
	Flattr(ctx context.Context, username string, r flattrs.Request) (*app.Flattr, *app.Activity, error)
	UndoActivity(ctx context.Context, actorURI, likeActivityURI string) (*app.Activity, error)
}

// Posts is the post use case C2S calls (implemented by app/posts.Service).
type Posts interface {
	Publish(ctx context.Context, username string, d posts.Draft) (*app.Post, *app.Activity, error)
}

// Activities finds the activities C2S undoes.
type Activities interface {
	ActivityByURI(ctx context.Context, uri string) (*app.Activity, error)
}

// Preparer resolves recipients ahead of a publish (implemented by
// *Publisher).
type Preparer interface {
	Prepare(ctx context.Context, actorURI string, recipients []string) error
}

// Submitter serves ActivityPub's client-to-server outbox: it reads what
// a client POSTed into a use case's terms and calls the use case, which
// decides and publishes.
type Submitter struct {
	Follows    Follows
	Likes      Likes
	Posts      Posts
	Activities Activities
	// Recipients, when set, resolves a post's recipients before its use
	// case opens a transaction, so that no remote fetch runs inside one.
	Recipients Preparer
	URLs       federation.URLs
}

// Submit publishes an activity that user POSTed to their outbox. body is
// the JSON the client sent; the web layer bounds its size.
//
// Accepted are Follow, Like, Undo (of the user's own Follow or Like) and
// Create of a Note, Article or Page; a bare Note, Article or Page is
// wrapped in a Create. The server assigns the ids (any the client sent are
// replaced, as the specification requires), sets the actor (a different
// actor is app.EFORBIDDEN), fills in the addressing where it is implied
// and drops bto and bcc after using them.
func (s *Submitter) Submit(ctx context.Context, user *app.User, body []byte) (*app.Activity, error) {
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, app.Errorf(app.EINVALID, "the body must be a JSON object")
	}
	actor := s.URLs.Actor(user.Username)
	if v, ok := doc["actor"]; ok && v != nil && !as2.SameID(as2.IDOf(v), actor) {
		return nil, app.Errorf(app.EFORBIDDEN, "the actor must be you (%s)", actor)
	}
	types := as2.TypesOf(doc)
	if len(types) == 0 {
		return nil, app.Errorf(app.EINVALID, "the activity has no type")
	}
	switch types[0] {
	case "Note", "Article", "Page":
		return s.create(ctx, user, actor, map[string]any{"type": "Create", "object": doc}, doc)
	case "Create":
		obj, ok := doc["object"].(map[string]any)
		if !ok {
			return nil, app.Errorf(app.EINVALID, "a Create needs an embedded object: a Note, Article or Page")
		}
		return s.create(ctx, user, actor, doc, obj)
	case "Follow":
		target := as2.IDOf(doc["object"])
		if target == "" {
			return nil, app.Errorf(app.EINVALID, "a Follow needs an object: the id of the actor to follow")
		}
		return s.Follows.Follow(ctx, user.Username, target)
	case "Like":
		object := as2.IDOf(doc["object"])
		if object == "" {
			return nil, app.Errorf(app.EINVALID, "a Like needs an object: the id of what you like")
		}
		return s.flattr(ctx, user, object, doc)
	case "Undo":
		return s.undo(ctx, actor, doc)
	}
	return nil, app.Errorf(app.EINVALID, "activity type %q is not supported: send a Follow, Undo, Like, Create, or a Note, Article or Page", types[0])
}

// addressing lists the audience properties of an activity or object.
var addressing = []string{"to", "cc", "bto", "bcc"}

// create reads a Create and its object into a draft: the two share one
// audience, the union of what each says.
func (s *Submitter) create(ctx context.Context, user *app.User, actor string, create, obj map[string]any) (*app.Activity, error) {
	types := as2.TypesOf(obj)
	if len(types) == 0 {
		return nil, app.Errorf(app.EINVALID, "only a Note, Article or Page can be created")
	}
	if v, ok := obj["attributedTo"]; ok && v != nil && !as2.SameID(as2.IDOf(v), actor) {
		return nil, app.Errorf(app.EFORBIDDEN, "the object must be attributed to you (%s)", actor)
	}
	audience := map[string][]string{}
	for _, k := range addressing {
		audience[k] = append(as2.IDsOf(create[k]), as2.IDsOf(obj[k])...)
	}
	sensitive, _ := obj["sensitive"].(bool)
	d := posts.Draft{
		Type: types[0], Name: as2.StringOf(obj["name"]), Summary: as2.StringOf(obj["summary"]),
		Content: as2.StringOf(obj["content"]), InReplyTo: as2.IDOf(obj["inReplyTo"]), Sensitive: sensitive,
		To: audience["to"], Cc: audience["cc"], Bto: audience["bto"], Bcc: audience["bcc"],
	}
	if s.Recipients != nil {
		all := append(append(append(append([]string{}, d.To...), d.Cc...), d.Bto...), d.Bcc...)
		if err := s.Recipients.Prepare(ctx, actor, all); err != nil {
			return nil, err
		}
	}
	_, act, err := s.Posts.Publish(ctx, user.Username, d)
	return act, err
}

// undo takes back one of the user's own Follow or Like activities, named
// by id or embedded.
func (s *Submitter) undo(ctx context.Context, actor string, doc map[string]any) (*app.Activity, error) {
	target := as2.IDOf(doc["object"])
	if target == "" {
		return nil, app.Errorf(app.EINVALID, "an Undo needs an object: the id of your activity to undo")
	}
	undone, err := s.Activities.ActivityByURI(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("activity to undo %s: %w", target, err)
	}
	if undone.Local && undone.Type == "Like" {
		// The funder's own, or anonymous (from the instance actor): the
		// use case checks whose flattr it is.
		return s.Likes.UndoActivity(ctx, actor, undone.URI)
	}
	if !undone.Local || undone.ActorURI != actor {
		return nil, app.Errorf(app.EFORBIDDEN, "you can only undo your own activities")
	}
	switch undone.Type {
	case "Follow":
		f, err := s.Follows.FollowByActivity(ctx, undone.URI)
		if app.ErrorCode(err) == app.ENOTFOUND {
			f, err = &app.Follow{ActivityURI: undone.URI, FollowerURI: actor, FolloweeURI: undone.ObjectURI}, nil
		}
		if err != nil {
			return nil, err
		}
		return s.Follows.Unfollow(ctx, f)
	}
	return nil, app.Errorf(app.EINVALID, "only a Follow or a Like can be undone, not a %s", undone.Type)
}

// flattr reads a Like into a flattr: its weight and anonymity from
// Plaudit's terms, named as its context says or by their plain names
// (weight, anonymous); without them, weight 1.
func (s *Submitter) flattr(ctx context.Context, user *app.User, object string, doc map[string]any) (*app.Activity, error) {
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("reread Like: %w", err)
	}
	terms, _, err := as2.ReadFlattrTermsDefault(body)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: err.Error(), Err: err}
	}
	f, act, err := s.Likes.Flattr(ctx, user.Username, flattrs.Request{URL: object, Weight: terms.Weight, Anonymous: terms.Anonymous})
	if err != nil || act != nil {
		return act, err
	}
	return s.Activities.ActivityByURI(ctx, f.ActivityURI) // unchanged: the Like that stands
}
