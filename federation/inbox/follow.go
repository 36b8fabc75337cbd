package inbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// follow records a Follow of a local user: accepted at once, with an
// Accept sent back, unless the user approves followers by hand; then it
// waits in pending for ApproveFollow or RejectFollow.
func (in *Inbox) follow(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	username, ok := in.urls.LocalUsername(act.ObjectID())
	if !ok {
		return in.ignore(ctx, act, "the followed actor is not a local user")
	}
	user, err := in.store.UserByUsername(ctx, username)
	if err != nil {
		return fmt.Errorf("follow of %s: %w", username, err)
	}
	if err := in.knowActor(ctx, rec, act.Actor); err != nil {
		return err
	}
	f := &app.Follow{ActivityURI: act.ID, FollowerURI: act.Actor, FolloweeURI: in.urls.Actor(user.Username), State: app.FollowAccepted}
	if user.ManuallyApprovesFollowers {
		f.State = app.FollowPending
		// A follower already approved stays approved when it sends a new Follow.
		if old, err := in.store.FollowByPair(ctx, f.FollowerURI, f.FolloweeURI); err == nil && old.State == app.FollowAccepted {
			f.State = app.FollowAccepted
		}
	}
	if err := in.store.UpsertFollow(ctx, f); err != nil {
		return err
	}
	if f.State != app.FollowAccepted {
		in.log.InfoContext(ctx, "inbox: follow waits for approval", "follower", f.FollowerURI, "followee", f.FolloweeURI)
		return nil
	}
	return in.answerFollow(ctx, "Accept", f, act.Raw)
}

// knowActor makes sure a remote actor is stored (deliveries need its inbox).
func (in *Inbox) knowActor(ctx context.Context, rec *app.Activity, actorURI string) error {
	if rec.Local || in.urls.IsLocal(actorURI) {
		return nil
	}
	if _, err := in.remote.Actor(ctx, actorURI, false); err != nil {
		return fmt.Errorf("actor %s: %w", actorURI, err)
	}
	return nil
}

// ApproveFollow accepts a pending follow of a local user that approves
// followers by hand, and sends the Accept.
func (in *Inbox) ApproveFollow(ctx context.Context, followID int64) error {
	return in.decide(ctx, followID, app.FollowAccepted, "Accept")
}

// RejectFollow refuses a follow of a local user (pending or accepted: a
// follower is removed this way too), and sends the Reject.
func (in *Inbox) RejectFollow(ctx context.Context, followID int64) error {
	return in.decide(ctx, followID, app.FollowRejected, "Reject")
}

func (in *Inbox) decide(ctx context.Context, followID int64, state, answer string) error {
	f, err := in.store.FollowByID(ctx, followID)
	if err != nil {
		return err
	}
	if _, ok := in.urls.LocalUsername(f.FolloweeURI); !ok {
		return app.Errorf(app.EINVALID, "follow %d is not of a local user", followID)
	}
	if err := in.store.SetFollowState(ctx, f.ID, state); err != nil {
		return err
	}
	f.State = state
	var followDoc json.RawMessage
	if a, err := in.store.ActivityByURI(ctx, f.ActivityURI); err == nil {
		followDoc = json.RawMessage(a.Document)
	}
	return in.answerFollow(ctx, answer, f, followDoc)
}

// answerFollow sends an Accept or Reject of f from the followee to the
// follower, with the Follow embedded (Mastodon matches on its id). Its id is
// derived from the follow, so a second call finds it published and sends
// nothing.
func (in *Inbox) answerFollow(ctx context.Context, typ string, f *app.Follow, followDoc json.RawMessage) error {
	sum := sha256.Sum256([]byte(typ + "\n" + strconv.FormatInt(f.ID, 10) + "\n" + f.ActivityURI))
	id := in.urls.Activity(hex.EncodeToString(sum[:16]))
	_, err := in.store.ActivityByURI(ctx, id)
	if err == nil {
		return nil
	}
	if !errors.Is(err, app.ErrNotFound) {
		return err
	}
	var follow any = as2.Document{"id": f.ActivityURI, "type": "Follow", "actor": f.FollowerURI, "object": f.FolloweeURI}
	var embedded map[string]any
	if len(followDoc) > 0 && json.Unmarshal(followDoc, &embedded) == nil {
		follow = embedded
	}
	doc := as2.NewActivity(id, typ, f.FolloweeURI, follow).With("to", []string{f.FollowerURI})
	if _, err := in.publisher.Publish(ctx, f.FolloweeURI, doc, []string{f.FollowerURI}); err != nil {
		return fmt.Errorf("send %s of follow %d: %w", typ, f.ID, err)
	}
	return nil
}

// acceptFollow applies an Accept of a Follow a local actor sent.
func (in *Inbox) acceptFollow(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	return in.answered(ctx, act, app.FollowAccepted)
}

// rejectFollow applies a Reject of a Follow a local actor sent.
func (in *Inbox) rejectFollow(ctx context.Context, _ *app.Activity, act *as2.Activity) error {
	return in.answered(ctx, act, app.FollowRejected)
}

// answered sets the state of the follow that act answers, if act comes
// from the followee.
func (in *Inbox) answered(ctx context.Context, act *as2.Activity, state string) error {
	if act.ObjectEmbedded() && !slices.Contains(act.ObjectTypes(), "Follow") {
		return in.ignore(ctx, act, "the object is not a Follow")
	}
	f, err := in.answeredFollow(ctx, act)
	if err != nil {
		return err
	}
	if !as2.SameID(f.FolloweeURI, act.Actor) {
		return app.Errorf(app.EFORBIDDEN, "%s of follow %s by %s, who is not the followee", act.Type, f.ActivityURI, act.Actor)
	}
	if f.State == state {
		return nil
	}
	return in.store.SetFollowState(ctx, f.ID, state)
}

// answeredFollow finds the follow an Accept or Reject refers to: by the
// Follow's id, or by its actor and object when the embedded Follow's id is
// not ours.
func (in *Inbox) answeredFollow(ctx context.Context, act *as2.Activity) (*app.Follow, error) {
	f, err := in.store.FollowByActivityURI(ctx, act.ObjectID())
	if err == nil || !errors.Is(err, app.ErrNotFound) || !act.ObjectEmbedded() {
		return f, err
	}
	inner, perr := act.ParsedActivity()
	if perr != nil || inner.Actor == "" || inner.ObjectID() == "" {
		return nil, err
	}
	return in.store.FollowByPair(ctx, inner.Actor, inner.ObjectID())
}
