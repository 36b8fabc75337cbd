package inbox

import (
	"context"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/likes"
	"github.com/plaudit/plaudit/federation/as2"
)

// Likes are the like use cases the inbox calls (implemented by
// app/likes.Service).
type Likes interface {
	Receive(ctx context.Context, r likes.Received) (bool, error)
	Unliked(ctx context.Context, actorURI, likeActivityURI, objectURI string) error
}

// like hands a Like (or an EmojiReact) to the like use case.
func (in *Inbox) like(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	ok, err := in.likes.Receive(ctx, likes.Received{ActivityURI: act.ID, ActorURI: act.Actor, ObjectURI: act.ObjectID(), Content: act.Content})
	if err != nil || ok {
		return err
	}
	return in.ignore(ctx, act, "the liked object is not local")
}

// undoLike removes a like by the actor that made it.
func (in *Inbox) undoLike(ctx context.Context, act, inner *as2.Activity) error {
	return in.likes.Unliked(ctx, act.Actor, inner.ID, inner.ObjectID())
}
