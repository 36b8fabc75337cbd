package inbox

import (
	"context"
	"errors"
	"slices"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/federation/as2"
)

// Likes are the flattr use cases the inbox calls (implemented by
// app/flattrs.Service).
type Likes interface {
	Receive(ctx context.Context, r flattrs.Received) (string, error)
	// ReceiveAll is Receive for many, in one transaction (see ProcessBatch).
	ReceiveAll(ctx context.Context, rs []flattrs.Received) ([]string, error)
	Changed(ctx context.Context, r flattrs.Received) error
	Unliked(ctx context.Context, actorURI, likeActivityURI, objectURI string) error
	Approved(ctx context.Context, ownerURI, likeActivityURI string) (bool, error)
	Refused(ctx context.Context, ownerURI, likeActivityURI string) (bool, error)
}

// Things are the thing use cases the inbox calls (implemented by
// app/things.Service).
type Things interface {
	Deleted(ctx context.Context, uri string) error
}

// received reads a Like (or an EmojiReact) into the flattr use case's
// terms; wrong weight terms are app.EINVALID.
func received(act *as2.Activity, terms func() (as2.FlattrTerms, bool, error)) (flattrs.Received, error) {
	r := flattrs.Received{ActivityURI: act.ID, ActorURI: act.Actor, ObjectURI: act.ObjectID(), At: act.Published}
	if act.Type == "EmojiReact" || act.Content != "" {
		r.Reaction = act.Content
		if r.Reaction == "" {
			r.Reaction = "?"
		}
		return r, nil
	}
	t, ok, err := terms()
	if err != nil {
		return r, &app.Error{Code: app.EINVALID, Message: "the Like's flattr terms are wrong", Err: err}
	}
	if ok {
		r.Terms = &flattrs.Terms{Weight: t.Weight, Month: t.Month, Anonymous: t.Anonymous}
	}
	return r, nil
}

// like hands a Like (or an EmojiReact) to the flattr use case.
func (in *Inbox) like(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	r, err := received(act, act.FlattrTerms)
	if err != nil {
		return err
	}
	what, err := in.likes.Receive(ctx, r)
	if err != nil || what != flattrs.Ignored {
		return err
	}
	return in.ignore(ctx, act, "the liked object is not local, or the Like was undone")
}

// updateLike applies an Update of a Like: a flattr's new weight.
func (in *Inbox) updateLike(ctx context.Context, act *as2.Activity) error {
	inner, err := act.ParsedActivity()
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "malformed Like in an Update", Err: err}
	}
	if inner.Actor == "" {
		inner.Actor = act.Actor
	}
	if !as2.SameID(inner.Actor, act.Actor) || inner.ID == "" {
		return app.Errorf(app.EFORBIDDEN, "%s cannot update the Like %s", act.Actor, inner.ID)
	}
	r, err := received(inner, act.EmbeddedFlattrTerms)
	if err != nil {
		return err
	}
	if r.Terms == nil {
		return in.ignore(ctx, act, "an Update of a Like without a weight changes nothing")
	}
	if !inner.Updated.IsZero() {
		r.At = inner.Updated
	} else if !act.Published.IsZero() {
		r.At = act.Published
	}
	return in.likes.Changed(ctx, r)
}

// undoLike withdraws a like by the actor that made it.
func (in *Inbox) undoLike(ctx context.Context, act, inner *as2.Activity) error {
	return in.likes.Unliked(ctx, act.Actor, inner.ID, inner.ObjectID())
}

// answeredLike applies an Accept or Reject of a local funder's Like (a
// server that approves Likes, as GoToSocial's interaction policies do). It
// reports false when the object is no flattr's Like.
func (in *Inbox) answeredLike(ctx context.Context, act *as2.Activity, accepted bool) (bool, error) {
	if act.ObjectEmbedded() && !slices.ContainsFunc(act.ObjectTypes(), func(t string) bool { return t == "Like" || t == "LikeRequest" }) {
		return false, nil
	}
	id := act.ObjectID()
	if id == "" || !in.urls.IsLocal(id) {
		return false, nil
	}
	decide := in.likes.Refused
	if accepted {
		decide = in.likes.Approved
	}
	found, err := decide(ctx, act.Actor, id)
	var ae *app.Error
	if errors.As(err, &ae) && ae.Code == app.EFORBIDDEN {
		return true, err
	}
	return found, err
}
