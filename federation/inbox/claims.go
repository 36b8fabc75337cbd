package inbox

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Received activities are worked on as deliveries are: the row is the
// record, the queue only a reminder. A worker claims the row (pending, not
// yet tried more than its attempts, due) for one attempt; the claim moves
// the row's next attempt a lease ahead, so that a duplicate task, a sweep
// or another worker leaves it alone meanwhile. A failure of ours counts an
// attempt and makes the row due again after a backoff; when the attempts
// run out the row is failed with the last error. SweepPending queues every
// row that has been due for a while, whatever became of its task.

// DefaultAttempts is how many attempts a received activity gets: with
// DefaultBackoff the 7 waits add up to about 80 minutes.
const DefaultAttempts = 8

// DefaultBackoff is the wait after the n-th failed attempt (n ≥ 1): n⁴ +
// 15 seconds plus up to 10% jitter, from 16 s after the first attempt to
// 40 min after the seventh.
func DefaultBackoff(n int) time.Duration {
	base := time.Duration(n*n*n*n+15) * time.Second
	return base + time.Duration(rand.Int64N(int64(base/10)+1))
}

// Timing of claims. A claimed row is not due again for claimLease, which
// outlasts the task's two-minute timeout. A task may run up to earlyBy
// before its row is due: asynq schedules in whole seconds.
const (
	claimLease = 5 * time.Minute
	earlyBy    = 5 * time.Second
)

// SweepAge is how long a received activity stays due before SweepPending
// queues it again: its own task had that long to claim it.
const SweepAge = time.Minute

// sweepBatch is how many due activities SweepPending reads per query.
const sweepBatch = 1000

// maxErrorText bounds the error text kept on an activity row.
const maxErrorText = 500

// retryPolicy is how often and how soon a failed activity is tried again.
type retryPolicy struct {
	attempts int
	backoff  func(n int) time.Duration
}

func newRetryPolicy(attempts int, backoff func(n int) time.Duration) retryPolicy {
	if attempts <= 0 {
		attempts = DefaultAttempts
	}
	if backoff == nil {
		backoff = DefaultBackoff
	}
	return retryPolicy{attempts: attempts, backoff: backoff}
}

// nowUTC is the time in UTC to the microsecond, the precision PostgreSQL
// keeps, so that what is stored and what is queued agree.
func (in *Inbox) nowUTC() time.Time { return in.now().UTC().Truncate(time.Microsecond) }

// claim takes rec for one attempt; false means another worker has it, or
// it is not due.
func (in *Inbox) claim(ctx context.Context, rec *app.Activity) (bool, error) {
	now := in.nowUTC()
	won, err := in.store.ClaimActivity(ctx, rec.ID, rec.Attempts, now.Add(earlyBy), now.Add(claimLease))
	if err != nil {
		return false, fmt.Errorf("process activity %d: %w", rec.ID, err)
	}
	if !won {
		in.log.DebugContext(ctx, "inbox: activity not claimed (taken or not due)", "activity_id", rec.ID)
	}
	return won, nil
}

// settle records the outcome of the attempt that ended with applyErr.
func (in *Inbox) settle(ctx context.Context, rec *app.Activity, applyErr error) error {
	switch code := app.ErrorCode(applyErr); {
	case applyErr == nil:
		return in.finish(ctx, rec, app.ActivityProcessed, "")
	case ctx.Err() != nil:
		return in.release(ctx, rec, applyErr)
	case code == app.EINTERNAL, code == app.EUNAVAILABLE: // ours, or a remote server's, to retry
		return in.retryLater(ctx, rec, applyErr)
	default:
		in.log.WarnContext(ctx, "inbox: activity not applied", "activity", rec.URI, "type", rec.Type, "actor", rec.ActorURI, "err", applyErr)
		return in.finish(ctx, rec, app.ActivityFailed, app.ErrorMessage(applyErr))
	}
}

// finish records the final state of a received activity.
func (in *Inbox) finish(ctx context.Context, rec *app.Activity, state, errText string) error {
	if err := in.store.SetActivityState(ctx, rec.ID, state, errText, in.nowUTC()); err != nil {
		return fmt.Errorf("process activity %d: %w", rec.ID, err)
	}
	return nil
}

// release gives the row back after the task was stopped (shutdown, task
// deadline): the outcome is unknown, so the attempt does not count.
func (in *Inbox) release(ctx context.Context, rec *app.Activity, applyErr error) error {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := in.store.ReleaseActivity(rctx, rec.ID, rec.Attempts, in.nowUTC()); err != nil {
		return fmt.Errorf("process activity %d interrupted (%w), release: %w", rec.ID, applyErr, err)
	}
	return fmt.Errorf("process activity %d interrupted: %w", rec.ID, applyErr)
}

// retryLater counts a failed attempt: the row is due again after the
// backoff, and its next attempt is queued for then; when this was the
// last attempt the row is failed.
func (in *Inbox) retryLater(ctx context.Context, rec *app.Activity, applyErr error) error {
	now := in.nowUTC()
	rec.Attempts++
	rec.Error = truncate(applyErr.Error())
	log := in.log.With("activity", rec.URI, "type", rec.Type, "attempts", rec.Attempts, "err", applyErr)
	if rec.Attempts >= in.retries.attempts {
		rec.State, rec.ProcessedAt = app.ActivityFailed, &now
		rec.Error = truncate(fmt.Sprintf("gave up after %d attempts: %s", rec.Attempts, applyErr))
	} else {
		rec.NextAttemptAt = now.Add(in.retries.backoff(rec.Attempts)).Truncate(time.Microsecond)
	}
	if err := in.store.SaveActivityAttempt(ctx, rec); err != nil {
		return fmt.Errorf("process activity %d: %w", rec.ID, err)
	}
	if rec.State == app.ActivityFailed {
		log.WarnContext(ctx, "inbox: activity failed, attempts used up")
		return nil
	}
	log.InfoContext(ctx, "inbox: activity failed, will retry", "at", rec.NextAttemptAt)
	if err := in.queue.EnqueueInboxAttempt(ctx, rec.ID, rec.Attempts+1, rec.NextAttemptAt); err != nil {
		// The row is pending: the sweep queues it once it is due.
		log.WarnContext(ctx, "inbox: enqueue retry", "enqueue_err", err)
	}
	return nil
}

// SweepPending queues again every received activity that has been due for
// SweepAge without being claimed: its task was lost (a restart of the
// embedded Redis), gave up (archived after asynq's retries) or its worker
// died. Rows being worked on are under a claim and not due. It reads the
// rows in pages by id, so that however many are due, all are queued; it
// stops at the first row it cannot queue and returns the error.
func (in *Inbox) SweepPending(ctx context.Context) error {
	dueBy := in.nowUTC().Add(-SweepAge)
	var after int64
	total := 0
	for {
		rows, err := in.store.DueActivities(ctx, dueBy, after, sweepBatch)
		if err != nil {
			return fmt.Errorf("sweep inbox: %w", err)
		}
		for _, a := range rows {
			if err := in.queue.EnqueueInboxAttempt(ctx, a.ID, a.Attempts+1, time.Time{}); err != nil {
				return fmt.Errorf("sweep inbox: enqueue activity %d: %w", a.ID, err)
			}
			after = a.ID
		}
		total += len(rows)
		if len(rows) < sweepBatch {
			break
		}
	}
	if total > 0 {
		in.log.InfoContext(ctx, "inbox sweep: due activities queued", "count", total)
	}
	return nil
}

func truncate(s string) string {
	if len(s) > maxErrorText {
		return s[:maxErrorText]
	}
	return s
}
