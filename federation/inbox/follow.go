package inbox

import (
	"context"
	"slices"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/follows"
	"github.com/plaudit/plaudit/federation/as2"
)

// Follows are the follow use cases the inbox calls (implemented by
// app/follows.Service).
type Follows interface {
	Receive(ctx context.Context, r follows.Received) (bool, error)
	Unfollowed(ctx context.Context, followerURI, followeeURI, followActivityURI string) (bool, error)
	Answered(ctx context.Context, a follows.Answer) error
}

// follow hands a Follow to the follow use case.
func (in *Inbox) follow(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	ok, err := in.follows.Receive(ctx, follows.Received{ActivityURI: act.ID, FollowerURI: act.Actor, FolloweeURI: act.ObjectID()})
	if err != nil || ok {
		return err
	}
	return in.ignore(ctx, act, "the followed actor is not a local user")
}

// acceptFollow applies an Accept of a Follow a local actor sent.
func (in *Inbox) acceptFollow(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	return in.answered(ctx, act, true)
}

// rejectFollow applies a Reject of a Follow a local actor sent.
func (in *Inbox) rejectFollow(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	return in.answered(ctx, act, false)
}

// answered reads an Accept or Reject into the flattr use case's terms
// when it answers a Like, else into the follow use case's.
func (in *Inbox) answered(ctx context.Context, act *as2.Activity, accepted bool) error {
	if in.settlements != nil {
		if isStatement, err := in.settlements.Answer(ctx, act, accepted); isStatement || err != nil {
			return err
		}
	}
	if isLike, err := in.answeredLike(ctx, act, accepted); isLike || err != nil {
		return err
	}
	if act.ObjectEmbedded() && !slices.Contains(act.ObjectTypes(), "Follow") {
		return in.ignore(ctx, act, "the object is not a Follow")
	}
	a := follows.Answer{FollowActivityURI: act.ObjectID(), By: act.Actor, Accepted: accepted}
	if act.ObjectEmbedded() {
		if inner, err := act.ParsedActivity(); err == nil {
			a.FollowerURI, a.FolloweeURI = inner.Actor, inner.ObjectID()
		}
	}
	return in.follows.Answered(ctx, a)
}

// undoFollow hands the undo of a follow to the follow use case.
func (in *Inbox) undoFollow(ctx context.Context, act, inner *as2.Activity) error {
	ok, err := in.follows.Unfollowed(ctx, act.Actor, inner.ObjectID(), inner.ID)
	if err != nil || ok {
		return err
	}
	return in.ignore(ctx, act, "the undone follow names no followee")
}
