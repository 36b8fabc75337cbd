package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

// updateActor stores the actor document an Update carries (the actor
// signed it, so it speaks for itself: this is how keys rotate and profiles
// change), or fetches the actor again when the Update names it by id.
func (in *Inbox) updateActor(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	if rec.Local || in.urls.IsLocal(act.Actor) {
		return in.ignore(ctx, act, "local actors are not stored as remote actors")
	}
	if !act.ObjectEmbedded() {
		_, err := in.remote.Actor(ctx, act.Actor, true)
		return err
	}
	doc, err := act.ParsedActor()
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "malformed actor", Err: err}
	}
	if !as2.SameID(doc.ID, act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "%s cannot update the actor %s", act.Actor, doc.ID)
	}
	a := dereference.RemoteActorOf(doc, act.Object, "", in.now())
	if a.KeyID == "" {
		// An update without a usable key does not remove the one we hold.
		old, err := in.store.RemoteActorByURI(ctx, doc.ID)
		switch {
		case err == nil:
			a.KeyID, a.PublicKeyPEM = old.KeyID, old.PublicKeyPEM
		case !errors.Is(err, app.ErrNotFound):
			// Storing the update now would drop the key we hold: retry.
			return fmt.Errorf("update of %s: %w", doc.ID, err)
		}
	}
	return in.store.UpsertRemoteActor(ctx, a)
}

// deleteActor records that the actor deleted itself; its follows go too.
func (in *Inbox) deleteActor(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	if rec.Local || in.urls.IsLocal(act.Actor) {
		return in.ignore(ctx, act, "local actors are deleted locally")
	}
	return in.store.MarkRemoteActorDeleted(ctx, act.Actor, in.now().UTC())
}

// Blocks are the use cases of remote actors' blocks (implemented by
// app/moderation.RemoteBlocks).
type Blocks interface {
	Blocked(ctx context.Context, blocker, target, reason string) error
	Unblocked(ctx context.Context, blocker, target string) error
}

// block records that a remote actor blocks a local one.
func (in *Inbox) block(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	username, ok := in.urls.LocalUsername(act.ObjectID())
	if !ok {
		return in.ignore(ctx, act, "the blocked actor is not a local user")
	}
	return in.blocks.Blocked(ctx, act.Actor, in.urls.Actor(username), "Block "+act.ID)
}

// undoBlock lifts the actor's block of a local actor.
func (in *Inbox) undoBlock(ctx context.Context, act, inner *as2.Activity) error {
	username, ok := in.urls.LocalUsername(inner.ObjectID())
	if !ok {
		return in.ignore(ctx, act, "the unblocked actor is not a local user")
	}
	return in.blocks.Unblocked(ctx, act.Actor, in.urls.Actor(username))
}

// move is only recorded: the activity row is the record. Following the
// account to its new home is left to a later step.
func (in *Inbox) move(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	in.log.InfoContext(ctx, "inbox: actor moved", "actor", act.Actor, "object", act.ObjectID(), "target", act.Target)
	return nil
}
