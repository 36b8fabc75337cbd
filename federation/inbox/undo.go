package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// undo reverses a Follow, Like or Block, only for the actor that made it.
func (in *Inbox) undo(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	inner, err := in.undone(ctx, act)
	if err != nil {
		return err
	}
	if inner == nil {
		return in.ignore(ctx, act, "the undone activity is unknown")
	}
	if !as2.SameID(inner.Actor, act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "%s cannot undo %s by %s", act.Actor, inner.ID, inner.Actor)
	}
	switch inner.Type {
	case "Follow":
		return in.undoFollow(ctx, act, inner)
	case "Like", "EmojiReact":
		return in.undoLike(ctx, act, inner)
	case "Block":
		return in.undoBlock(ctx, act, inner)
	default:
		return in.ignore(ctx, act, "undo of "+inner.Type+" has no effect here")
	}
}

// undone returns the activity an Undo reverses: embedded, or the stored
// copy of the one it names. nil when it is unknown.
func (in *Inbox) undone(ctx context.Context, act *as2.Activity) (*as2.Activity, error) {
	if act.ObjectEmbedded() {
		inner, err := act.ParsedActivity()
		if err != nil {
			return nil, &app.Error{Code: app.EINVALID, Message: "malformed undone activity", Err: err}
		}
		if inner.Actor == "" {
			inner.Actor = act.Actor // the Undo's actor undoes its own activity
		}
		return inner, nil
	}
	id := act.ObjectID()
	if id == "" {
		return nil, app.Errorf(app.EINVALID, "undo %s has no object", act.ID)
	}
	stored, err := in.store.ActivityByURI(ctx, id)
	if errors.Is(err, app.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	inner, err := as2.ParseActivity([]byte(stored.Document))
	if err != nil {
		return nil, fmt.Errorf("stored activity %s: %w", id, err)
	}
	return inner, nil
}
