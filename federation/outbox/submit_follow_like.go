package outbox

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// submitFollow publishes a Follow of an actor, sent to that actor, and
// records the follow as pending until an Accept arrives.
func (p *Publisher) submitFollow(ctx context.Context, s *submission) (*app.Activity, error) {
	target := as2.IDOf(s.doc["object"])
	switch {
	case target == "":
		return nil, app.Errorf(app.EINVALID, "a Follow needs an object: the id of the actor to follow")
	case as2.SameID(target, s.actor):
		return nil, app.Errorf(app.EINVALID, "you cannot follow yourself")
	}
	followee, err := p.followee(ctx, target)
	if err != nil {
		return nil, err
	}
	s.doc["object"] = followee
	s.doc["to"] = []string{followee}
	delete(s.doc, "cc")
	doc, _ := s.finish(p.newActivityID())
	follow := &app.Follow{ActivityURI: doc.ID(), FollowerURI: s.actor, FolloweeURI: followee, State: app.FollowPending}
	return p.publish(ctx, s.actor, doc, []string{followee}, func(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
		return p.deps.Store.PublishFollow(ctx, a, follow, inboxes, now)
	})
}

// followee checks the actor to follow and returns its id as stored.
func (p *Publisher) followee(ctx context.Context, uri string) (string, error) {
	if p.deps.URLs.IsLocal(uri) {
		if err := p.localUser(ctx, uri); err != nil {
			return "", err
		}
		return uri, nil
	}
	a, err := p.deps.Actors.Actor(ctx, uri, false)
	if err != nil {
		return "", fmt.Errorf("actor to follow %s: %w", uri, err)
	}
	if a.DeletedAt != nil {
		return "", app.Errorf(app.ENOTFOUND, "actor %s was deleted", uri)
	}
	return a.URI, nil
}

// submitLike publishes a Like of an object, sent to the object's author,
// and records the like. Liking one object twice is app.ECONFLICT.
func (p *Publisher) submitLike(ctx context.Context, s *submission) (*app.Activity, error) {
	object := as2.IDOf(s.doc["object"])
	if object == "" {
		return nil, app.Errorf(app.EINVALID, "a Like needs an object: the id of what you like")
	}
	author, err := p.authorOf(ctx, object)
	if err != nil {
		return nil, err
	}
	s.doc["object"] = object
	s.doc["to"] = []string{author}
	delete(s.doc, "cc")
	doc, _ := s.finish(p.newActivityID())
	like := &app.Like{ActivityURI: doc.ID(), ActorURI: s.actor, ObjectURI: object, Content: as2.StringOf(s.doc["content"]), CreatedAt: s.now}
	return p.publish(ctx, s.actor, doc, []string{author}, func(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
		return p.deps.Store.PublishLike(ctx, a, like, inboxes, now)
	})
}

// authorOf finds who wrote an object: a local one by its Create, a remote
// one by its attributedTo.
func (p *Publisher) authorOf(ctx context.Context, object string) (string, error) {
	if p.deps.URLs.IsLocal(object) {
		create, err := p.deps.Store.LocalActivityByObject(ctx, "Create", object)
		if err != nil {
			return "", fmt.Errorf("object %s: %w", object, err)
		}
		return create.ActorURI, nil
	}
	o, err := p.deps.Objects.Object(ctx, object)
	if err != nil {
		return "", fmt.Errorf("object %s: %w", object, err)
	}
	switch {
	case o.DeletedAt != nil:
		return "", app.Errorf(app.ENOTFOUND, "object %s was deleted", object)
	case o.AttributedTo == "":
		return "", app.Errorf(app.EINVALID, "object %s names no author", object)
	}
	return o.AttributedTo, nil
}
