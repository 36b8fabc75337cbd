package delivery

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/transport"
)

// failed records a failed attempt: dead when the failure is permanent or
// the attempts are used up, else rescheduled after the backoff. A host
// that did not answer (network error, timeout, 5xx) has the failure
// counted against it, and is marked unreachable when it has failed for
// too long; one that answered (any status below 500) is reachable.
func (d *Deliverer) failed(ctx context.Context, dl *app.Delivery, postErr error) error {
	now := d.now()
	dl.Attempts++
	dl.LastStatus = statusOf(postErr)
	dl.LastError = truncate(postErr.Error())
	gone := transport.IsGone(postErr)
	switch {
	case transport.IsPermanent(postErr):
		dl.State = app.DeliveryDead
	case dl.Attempts >= d.deps.Attempts:
		dl.State = app.DeliveryDead
		dl.LastError = truncate(fmt.Sprintf("gave up after %d attempts: %s", dl.Attempts, postErr))
	default:
		dl.State = app.DeliveryPending
		dl.NextAttemptAt = now.Add(d.deps.Backoff(dl.Attempts)).Truncate(time.Microsecond)
	}
	if err := d.recordHost(ctx, dl, postErr, now); err != nil {
		return err
	}
	if err := d.deps.Store.SaveDeliveryAttempt(ctx, dl); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	log := d.log.With("delivery", dl.ID, "inbox", dl.Inbox, "attempts", dl.Attempts, "status", dl.LastStatus, "err", postErr)
	switch dl.State {
	case app.DeliveryPending:
		log.DebugContext(ctx, "delivery failed, will retry", "at", dl.NextAttemptAt)
		if err := d.deps.Queue.EnqueueDelivery(ctx, dl.ID, dl.Attempts+1, dl.NextAttemptAt); err != nil {
			// The row is pending: the sweep enqueues it when it is due.
			log.WarnContext(ctx, "enqueue retry", "enqueue_err", err)
		}
	case app.DeliveryDead:
		log.WarnContext(ctx, "delivery dead")
	default:
		log.WarnContext(ctx, "delivery skipped: host unreachable", "host", dl.Host)
	}
	if gone {
		return d.gone(ctx, dl.Inbox, now)
	}
	return nil
}

// recordHost updates the host's health after a failed attempt. When this
// failure makes the host unreachable, the delivery is skipped too.
func (d *Deliverer) recordHost(ctx context.Context, dl *app.Delivery, postErr error, now time.Time) error {
	status := statusOf(postErr)
	switch {
	case status > 0 && status < 500:
		d.reachable.forget(dl.Host)
		if err := d.deps.Store.RecordHostSuccess(ctx, dl.Host, now); err != nil {
			return fmt.Errorf("delivery %d: %w", dl.ID, err)
		}
	case transport.IsPermanent(postErr):
		// Refused before sending (SSRF guard, bad URL): not the host's fault.
	default:
		d.reachable.forget(dl.Host)
		marked, err := d.hostFailed(ctx, dl.Host, now)
		if err != nil {
			return fmt.Errorf("delivery %d: %w", dl.ID, err)
		}
		if marked {
			d.log.WarnContext(ctx, "host marked unreachable", "host", dl.Host, "failing_for_over", d.deps.UnreachableAfter)
			if dl.State == app.DeliveryPending {
				dl.State = app.DeliverySkipped
				dl.LastError = truncate("host unreachable: " + dl.LastError)
			}
		}
	}
	return nil
}

// gone handles a 410 Gone from an inbox: the actors whose personal inbox
// it is are marked deleted (which drops their follows) and every other
// pending delivery to it is dead.
func (d *Deliverer) gone(ctx context.Context, inbox string, now time.Time) error {
	actors, err := d.deps.Store.RemoteActorsByInbox(ctx, inbox)
	if err != nil {
		return fmt.Errorf("inbox %s gone: %w", inbox, err)
	}
	if len(actors) == 0 {
		return nil
	}
	for _, a := range actors {
		if err := d.deps.Store.MarkRemoteActorDeleted(ctx, a.URI, now); err != nil {
			return fmt.Errorf("inbox %s gone: %w", inbox, err)
		}
		d.log.InfoContext(ctx, "actor gone (410), marked deleted", "actor", a.URI)
	}
	if _, err := d.deps.Store.EndInboxDeliveries(ctx, inbox, "inbox gone (410)", now); err != nil {
		return fmt.Errorf("inbox %s gone: %w", inbox, err)
	}
	return nil
}

// hostFailed counts a failure of host. A host that has failed for longer
// than UnreachableAfter without a success in between is marked
// unreachable, and every delivery to it still pending is skipped, in one
// transaction (admins can retry them; a host that sends to us again is
// reachable again). It reports whether this call marked the host.
func (d *Deliverer) hostFailed(ctx context.Context, host string, now time.Time) (bool, error) {
	marked := false
	err := d.deps.Tx.WithTx(ctx, func(ctx context.Context) error {
		h, err := d.deps.Store.RecordHostFailure(ctx, host, now)
		if err != nil {
			return err
		}
		if h.UnreachableSince != nil || h.FirstFailureAt == nil || now.Sub(*h.FirstFailureAt) < d.deps.UnreachableAfter {
			return nil
		}
		if marked, err = d.deps.Store.MarkHostUnreachable(ctx, host, now); err != nil || !marked {
			return err
		}
		reason := fmt.Sprintf("host unreachable since %s", now.UTC().Format(time.RFC3339))
		_, err = d.deps.Store.SkipHostDeliveries(ctx, host, reason, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("failure of host %s: %w", host, err)
	}
	return marked, nil
}
