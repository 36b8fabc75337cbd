package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

// handler applies one type of activity. rec is the stored row, act the
// parsed document. Returning an app error with a client code (invalid,
// forbidden, not found) marks the activity failed; any other error is
// retried.
type handler func(ctx context.Context, rec *app.Activity, act *as2.Activity) error

// handlerTable maps activity types to their handlers.
func (in *Inbox) handlerTable() map[string]handler {
	return map[string]handler{
		"Follow":     in.follow,
		"Accept":     in.acceptFollow,
		"Reject":     in.rejectFollow,
		"Undo":       in.undo,
		"Like":       in.like,
		"EmojiReact": in.like,
		"Create":     in.createOrUpdate,
		"Update":     in.createOrUpdate,
		"Delete":     in.delete,
		"Block":      in.block,
		"Move":       in.move,
		"Offer":      in.offer,
	}
}

// Process applies the activity with row id activityID: the body of the
// federation:inbox job. A received activity is applied under a claim on
// its row (see claims.go): a row no longer pending, not due yet, or held
// by another worker is left alone, so a duplicate task does nothing. Every
// handler is idempotent, so running again after a crash half-way changes
// nothing more. Activities that cannot be applied are marked failed; a
// failure of ours (a fetch, the database) is retried with backoff, and the
// activity is marked failed when its attempts run out. Local activities,
// which the outbox hands over for local recipients, keep their state and
// have no claim. An error return means "try the task again later": the
// row could not be read or written.
func (in *Inbox) Process(ctx context.Context, activityID int64) error {
	rec, err := in.store.ActivityByID(ctx, activityID)
	if errors.Is(err, app.ErrNotFound) {
		in.log.WarnContext(ctx, "inbox: no activity to process", "activity_id", activityID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("process activity %d: %w", activityID, err)
	}
	if rec.Local {
		return in.processLocal(ctx, rec)
	}
	if rec.State != app.ActivityPending {
		return nil
	}
	won, err := in.claim(ctx, rec)
	if err != nil || !won {
		return err
	}
	return in.settle(ctx, rec, in.apply(ctx, rec))
}

// processLocal applies an activity the outbox handed over for local
// recipients; an error of ours is returned for the task to retry.
func (in *Inbox) processLocal(ctx context.Context, rec *app.Activity) error {
	err := in.apply(ctx, rec)
	if code := app.ErrorCode(err); code == app.EINTERNAL || code == app.EUNAVAILABLE {
		return fmt.Errorf("process %s %s: %w", rec.Type, rec.URI, err)
	}
	if err != nil {
		in.log.WarnContext(ctx, "inbox: local activity not applied", "activity", rec.URI, "type", rec.Type, "err", err)
	}
	return nil
}

// apply parses the stored activity and runs its handler.
func (in *Inbox) apply(ctx context.Context, rec *app.Activity) error {
	act, err := parseStored(rec)
	if err != nil {
		return err
	}
	if !rec.Local {
		// A block may have come in since the activity was received.
		allowed, err := in.moderation.Allows(ctx, dereference.HostOf(act.Actor), act.Actor)
		if err != nil {
			return err
		}
		if !allowed {
			return blocked(act)
		}
	}
	return in.dispatch(ctx, rec, act)
}

// parseStored parses a stored activity's document.
func parseStored(rec *app.Activity) (*as2.Activity, error) {
	act, err := as2.ParseActivity([]byte(rec.Document))
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: "malformed activity", Err: err}
	}
	return act, nil
}

// blocked is the error of an activity whose actor moderation refuses.
func blocked(act *as2.Activity) error { return app.Errorf(app.EFORBIDDEN, "%s is blocked", act.Actor) }

// dispatch runs the handler of act's type.
func (in *Inbox) dispatch(ctx context.Context, rec *app.Activity, act *as2.Activity) error {
	h, ok := in.handlers[act.Type]
	if !ok {
		in.log.InfoContext(ctx, "inbox: activity type not handled", "activity", act.ID, "type", act.Type, "actor", act.Actor)
		return nil
	}
	return h(ctx, rec, act)
}

// ignore logs why an activity has no effect. It returns nil: the activity
// is processed, as a no-op.
func (in *Inbox) ignore(ctx context.Context, act *as2.Activity, reason string) error {
	in.log.InfoContext(ctx, "inbox: activity ignored", "activity", act.ID, "type", act.Type, "actor", act.Actor, "reason", reason)
	return nil
}
