package inbox

import (
	"context"

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
		if old, err := in.store.RemoteActorByURI(ctx, doc.ID); err == nil {
			a.KeyID, a.PublicKeyPEM = old.KeyID, old.PublicKeyPEM
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

// block records that a remote actor blocks a local one, and ends the
// follows between them both ways.
func (in *Inbox) block(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	username, ok := in.urls.LocalUsername(act.ObjectID())
	if !ok {
		return in.ignore(ctx, act, "the blocked actor is not a local user")
	}
	target := in.urls.Actor(username)
	err := in.store.InsertActorBlock(ctx, &app.ActorBlock{
		ActorURI: target, BlockedBy: act.Actor, Reason: "Block " + act.ID, CreatedAt: in.now().UTC(),
	})
	if err != nil {
		return err
	}
	if _, err := in.store.DeleteFollow(ctx, target, act.Actor); err != nil {
		return err
	}
	_, err = in.store.DeleteFollow(ctx, act.Actor, target)
	return err
}

// undoBlock lifts the actor's block of a local actor.
func (in *Inbox) undoBlock(ctx context.Context, act, inner *as2.Activity) error {
	username, ok := in.urls.LocalUsername(inner.ObjectID())
	if !ok {
		return in.ignore(ctx, act, "the unblocked actor is not a local user")
	}
	_, err := in.store.DeleteActorBlock(ctx, act.Actor, in.urls.Actor(username))
	return err
}

// move is only recorded: the activity row is the record. Following the
// account to its new home is left to a later step.
func (in *Inbox) move(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	in.log.InfoContext(ctx, "inbox: actor moved", "actor", act.Actor, "object", act.ObjectID(), "target", act.Target)
	return nil
}
