package inbox

import (
	"context"

	"github.com/plaudit/plaudit/federation/as2"
)

// Created is told of the objects that Creates stored (implemented by
// app/blogs.Service: the posts of a connected ActivityPub blog become
// things). It resolves the object from its origin itself: the copy the
// inbox stored speaks only for the sender.
type Created interface {
	Received(ctx context.Context, actorURI, objectURI string) error
}

// told hands the object of a Create to Created. Its failure (the origin
// did not answer, the object is not flattrable) does not fail the
// activity, which was stored: it is logged.
func (in *Inbox) told(ctx context.Context, act *as2.Activity, objectURI string) {
	if in.created == nil || act.Type != "Create" {
		return
	}
	if err := in.created.Received(ctx, act.Actor, objectURI); err != nil {
		in.log.WarnContext(ctx, "a created object could not be made a thing", "actor", act.Actor, "object", objectURI, "err", err)
	}
}
