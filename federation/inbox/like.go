package inbox

import (
	"context"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// like records a Like (or an EmojiReact) of a local object: a flattr.
// Likes of objects on other servers are not ours to count.
func (in *Inbox) like(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	object := act.ObjectID()
	if object == "" {
		return app.Errorf(app.EINVALID, "%s %s has no object", act.Type, act.ID)
	}
	if !in.urls.IsLocal(object) {
		return in.ignore(ctx, act, "the liked object is not local")
	}
	_, err := in.store.InsertLike(ctx, &app.Like{
		ActivityURI: act.ID, ActorURI: act.Actor, ObjectURI: object, Content: act.Content,
		CreatedAt: in.now().UTC(),
	})
	return err
}

// undoLike removes a like by the actor that made it.
func (in *Inbox) undoLike(ctx context.Context, act, inner *as2.Activity) error {
	if inner.ID != "" {
		found, err := in.store.DeleteLikeByActivity(ctx, act.Actor, inner.ID)
		if err != nil || found {
			return err
		}
	}
	if object := inner.ObjectID(); object != "" {
		_, err := in.store.DeleteLikeOf(ctx, act.Actor, object)
		return err
	}
	return nil
}
