package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	}
}

// SweepAge is how long a received activity waits in pending before
// SweepPending enqueues it again.
const SweepAge = time.Minute

// sweepBatch is how many pending activities one sweep re-enqueues.
const sweepBatch = 1000

// Process applies the activity with row id activityID: the body of the
// federation:inbox job. Received activities are processed once (a row no
// longer pending is skipped) and every handler is idempotent, so running
// it twice, or after a crash half-way, changes nothing more. Local
// activities, which the outbox hands over for local recipients, keep their
// state. Activities that cannot be applied are marked failed and not
// retried; an error return means "try again later".
func (in *Inbox) Process(ctx context.Context, activityID int64) error {
	rec, err := in.store.ActivityByID(ctx, activityID)
	if errors.Is(err, app.ErrNotFound) {
		in.log.WarnContext(ctx, "inbox: no activity to process", "activity_id", activityID)
		return nil
	}
	if err != nil {
		return fmt.Errorf("process activity %d: %w", activityID, err)
	}
	if !rec.Local && rec.State != app.ActivityPending {
		return nil
	}
	err = in.apply(ctx, rec)
	switch code := app.ErrorCode(err); {
	case err == nil:
		return in.finish(ctx, rec, app.ActivityProcessed, "")
	case code == app.EINTERNAL, code == app.EUNAVAILABLE: // ours, or a remote server's, to retry
		return fmt.Errorf("process %s %s: %w", rec.Type, rec.URI, err)
	default:
		in.log.WarnContext(ctx, "inbox: activity not applied", "activity", rec.URI, "type", rec.Type, "actor", rec.ActorURI, "err", err)
		return in.finish(ctx, rec, app.ActivityFailed, app.ErrorMessage(err))
	}
}

// apply parses the stored activity and runs its handler.
func (in *Inbox) apply(ctx context.Context, rec *app.Activity) error {
	act, err := as2.ParseActivity([]byte(rec.Document))
	if err != nil {
		return &app.Error{Code: app.EINVALID, Message: "malformed activity", Err: err}
	}
	if !rec.Local {
		// A block may have come in since the activity was received.
		allowed, err := in.moderation.Allows(ctx, dereference.HostOf(act.Actor), act.Actor)
		if err != nil {
			return err
		}
		if !allowed {
			return app.Errorf(app.EFORBIDDEN, "%s is blocked", act.Actor)
		}
	}
	h, ok := in.handlers[act.Type]
	if !ok {
		in.log.InfoContext(ctx, "inbox: activity type not handled", "activity", act.ID, "type", act.Type, "actor", act.Actor)
		return nil
	}
	return h(ctx, rec, act)
}

// finish records the outcome of a received activity.
func (in *Inbox) finish(ctx context.Context, rec *app.Activity, state, errText string) error {
	if rec.Local {
		return nil
	}
	if err := in.store.SetActivityState(ctx, rec.ID, state, errText, in.now().UTC()); err != nil {
		return fmt.Errorf("process activity %d: %w", rec.ID, err)
	}
	return nil
}

// SweepPending enqueues again the received activities that are still
// pending SweepAge after they arrived: the queue may have lost them (a
// restart of the embedded Redis) or their job may have given up.
func (in *Inbox) SweepPending(ctx context.Context) error {
	pending, err := in.store.PendingActivities(ctx, in.now().UTC().Add(-SweepAge), sweepBatch)
	if err != nil {
		return fmt.Errorf("sweep inbox: %w", err)
	}
	failed := 0
	for _, a := range pending {
		if a.Local {
			continue
		}
		if err := in.queue.EnqueueInbox(ctx, a.ID); err != nil {
			// Usually the job still exists (same task id): nothing to do.
			failed++
			in.log.DebugContext(ctx, "inbox sweep: enqueue refused", "activity_id", a.ID, "err", err)
		}
	}
	if len(pending) > 0 {
		in.log.InfoContext(ctx, "inbox sweep", "pending", len(pending), "not_enqueued", failed)
	}
	return nil
}

// ignore logs why an activity has no effect. It returns nil: the activity
// is processed, as a no-op.
func (in *Inbox) ignore(ctx context.Context, act *as2.Activity, reason string) error {
	in.log.InfoContext(ctx, "inbox: activity ignored", "activity", act.ID, "type", act.Type, "actor", act.Actor, "reason", reason)
	return nil
}
