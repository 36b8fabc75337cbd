package inbox

import (
	"context"
	"errors"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

// createOrUpdate stores the Note, Article, Video… of a Create or Update by
// its author, or refreshes the actor of an Update(Person).
func (in *Inbox) createOrUpdate(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	if !act.ObjectEmbedded() {
		return in.fetchObject(ctx, rec, act)
	}
	if in.settlements != nil && act.Type == "Create" {
		if isSettlement, err := in.settlements.Create(ctx, act); isSettlement || err != nil {
			return err
		}
	}
	for _, t := range act.ObjectTypes() {
		if t == "Like" && act.Type == "Update" {
			return in.updateLike(ctx, act)
		}
		if as2.IsActorType(t) {
			if act.Type != "Update" {
				return in.ignore(ctx, act, "a Create of an actor has no effect")
			}
			return in.updateActor(ctx, rec, act)
		}
	}
	obj, err := act.ParsedObject()
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "malformed object", Err: err}
	}
	if r := in.skipObject(obj); r != "" {
		return in.ignore(ctx, act, r)
	}
	if err := checkAuthor(act, obj); err != nil {
		return err
	}
	old, err := in.store.RemoteObjectByURI(ctx, obj.ID)
	switch {
	case err == nil && old.DeletedAt != nil:
		return in.ignore(ctx, act, "the object was deleted")
	case err != nil && !errors.Is(err, app.ErrNotFound):
		return err
	}
	o := dereference.RemoteObjectOf(obj)
	if o.AttributedTo == "" {
		o.AttributedTo = act.Actor
	}
	if len(obj.To)+len(obj.Cc) == 0 {
		o.Public = act.Public()
	}
	if err := in.store.UpsertRemoteObject(ctx, o); err != nil {
		return err
	}
	in.told(ctx, act, o.URI)
	return nil
}

// skipObject says why an object is not kept, or "".
func (in *Inbox) skipObject(obj *as2.Object) string {
	switch {
	case obj.ID == "":
		return "the object has no id"
	case !dereference.IsContentType(obj.Type):
		return obj.Type + " objects are not kept"
	case in.urls.IsLocal(obj.ID):
		return "the object is local"
	}
	return ""
}

// checkAuthor makes sure the actor speaks for the object: the object and
// all its authors are on the actor's host.
func checkAuthor(act *as2.Activity, obj *as2.Object) error {
	if !dereference.SameHost(obj.ID, act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "%s cannot %s %s, on another host", act.Actor, act.Type, obj.ID)
	}
	return dereference.CheckAttribution(obj)
}

// fetchObject handles a Create or Update that names its object by id only:
// the object is fetched from its origin, which speaks for it.
func (in *Inbox) fetchObject(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	id := act.ObjectID()
	switch {
	case id == "":
		return app.Errorf(app.EINVALID, "%s %s has no object", act.Type, act.ID)
	case as2.SameID(id, act.Actor):
		if act.Type == "Update" {
			return in.updateActor(ctx, rec, act)
		}
		return in.ignore(ctx, act, "a Create of an actor has no effect")
	case in.urls.IsLocal(id):
		return in.ignore(ctx, act, "the object is local")
	case !dereference.SameHost(id, act.Actor):
		return app.Errorf(app.EFORBIDDEN, "%s cannot %s %s, on another host", act.Actor, act.Type, id)
	}
	if _, err := in.remote.Object(ctx, id); err != nil {
		return err
	}
	in.told(ctx, act, id)
	return nil
}

// delete handles a Delete: of the actor itself, or of an object by its
// author (the object as an id or a Tombstone).
func (in *Inbox) delete(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	id := act.ObjectID()
	if id == "" {
		return app.Errorf(app.EINVALID, "delete %s has no object", act.ID)
	}
	if as2.SameID(id, act.Actor) {
		return in.deleteActor(ctx, rec, act)
	}
	o, err := in.store.RemoteObjectByURI(ctx, id)
	if errors.Is(err, app.ErrNotFound) {
		return in.ignore(ctx, act, "the deleted object is unknown")
	}
	if err != nil {
		return err
	}
	if !isAuthor(o, act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "%s is not the author of %s", act.Actor, id)
	}
	if _, err := in.store.MarkRemoteObjectDeleted(ctx, o.URI, in.now().UTC()); err != nil {
		return err
	}
	if in.things == nil {
		return nil
	}
	return in.things.Deleted(ctx, o.URI)
}

// isAuthor tells whether actor is among the stored object's authors.
func isAuthor(o *app.RemoteObject, actor string) bool {
	if as2.SameID(o.AttributedTo, actor) {
		return true
	}
	if doc, err := as2.ParseObject([]byte(o.Document)); err == nil {
		for _, by := range doc.AttributedToAll {
			if as2.SameID(by, actor) {
				return true
			}
		}
	}
	return false
}
