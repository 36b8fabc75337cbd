package inbox

import (
	"context"
	"errors"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

// goneActorDelete tells whether a request whose signature could not be
// verified is the Delete of an actor that no longer exists: its key went
// with it, so the signature cannot be checked, and there is nothing left to
// do but say yes, or the sender would retry for days. It holds when the
// activity is a Delete whose object is its actor, the key is on the
// actor's host, and the key's owner is known gone: the key fetch ended in
// 404/410, or the stored actor is marked deleted. Nothing is stored.
func (in *Inbox) goneActorDelete(ctx context.Context, body []byte, keyID string, verifyErr error) bool {
	act, err := as2.ParseActivity(body)
	if err != nil || act.Type != "Delete" || !as2.SameID(act.ObjectID(), act.Actor) {
		return false
	}
	if !dereference.SameHost(keyID, act.Actor) {
		return false
	}
	gone := errors.Is(verifyErr, app.ErrNotFound)
	if !gone {
		a, err := in.store.RemoteActorByURI(ctx, act.Actor)
		gone = err == nil && a.DeletedAt != nil
	}
	if gone {
		in.log.InfoContext(ctx, "inbox: Delete of a gone actor accepted without a verifiable signature",
			"actor", act.Actor, "key_id", keyID, "host", dereference.HostOf(keyID), "reason", verifyErr.Error())
	}
	return gone
}
