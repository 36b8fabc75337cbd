package outbox

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// SendLike publishes l's Like of l.ObjectURI to the object's author and
// sets l.ActivityURI (app/likes.Outbox).
func (p *Publisher) SendLike(ctx context.Context, l *app.Like, author string) (*app.Activity, error) {
	doc := as2.NewActivity(p.newActivityID(), "Like", l.ActorURI, l.ObjectURI).
		With("to", []string{author}).
		With("published", p.deps.Now().UTC().Format(timeFormat))
	if l.Content != "" {
		doc = doc.With("content", l.Content)
	}
	a, err := p.Publish(ctx, l.ActorURI, doc, []string{author})
	if err != nil {
		return nil, err
	}
	l.ActivityURI = a.URI
	return a, nil
}

// SendUndoLike publishes the Undo of the Like likeActivityURI
// (app/likes.Outbox).
func (p *Publisher) SendUndoLike(ctx context.Context, actorURI, likeActivityURI string) (*app.Activity, error) {
	return p.sendUndo(ctx, actorURI, likeActivityURI)
}

// PostStore finds local posts.
type PostStore interface {
	PostByURI(ctx context.Context, uri string) (*app.Post, error)
}

// CreateStore finds the Create of a local object.
type CreateStore interface {
	LocalActivityByObject(ctx context.Context, typ, objectURI string) (*app.Activity, error)
}

// Authors finds who wrote an object (app/likes.Authors): a local post by
// its row (or, for posts older than the posts table, by its Create), a
// remote object by its attributedTo, fetched from its origin. The author
// of a remote object is resolved too, so that publishing to it later
// needs no fetch.
type Authors struct {
	Posts      PostStore
	Activities CreateStore
	Objects    ObjectResolver
	Actors     ActorResolver
	URLs       interface{ IsLocal(uri string) bool }
}

// AuthorOf returns the actor id of objectURI's author.
func (a Authors) AuthorOf(ctx context.Context, objectURI string) (string, error) {
	if a.URLs.IsLocal(objectURI) {
		if post, err := a.Posts.PostByURI(ctx, objectURI); err == nil {
			return post.AuthorURI, nil
		}
		create, err := a.Activities.LocalActivityByObject(ctx, "Create", objectURI)
		if err != nil {
			return "", fmt.Errorf("object %s: %w", objectURI, err)
		}
		return create.ActorURI, nil
	}
	o, err := a.Objects.Object(ctx, objectURI)
	if err != nil {
		return "", fmt.Errorf("object %s: %w", objectURI, err)
	}
	switch {
	case o.DeletedAt != nil:
		return "", app.Errorf(app.ENOTFOUND, "object %s was deleted", objectURI)
	case o.AttributedTo == "":
		return "", app.Errorf(app.EINVALID, "object %s names no author", objectURI)
	}
	if _, err := a.Actors.Actor(ctx, o.AttributedTo, false); err != nil {
		return "", fmt.Errorf("author of %s: %w", objectURI, err)
	}
	return o.AttributedTo, nil
}
