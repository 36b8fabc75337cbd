package delivery

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/transport"
)

// maxErrorText bounds the error text kept on a delivery row.
const maxErrorText = 500

// Deliver makes the next attempt of delivery id: the body of the
// federation:deliver task. It returns nil when the attempt was made,
// whatever its outcome (failures are recorded on the row and rescheduled
// through the queue), and when there was nothing to do: the delivery is
// not pending any more, not due yet, or another worker holds it, so a
// duplicate task does nothing. When the delivery's host already has all
// the requests it may get, it returns a *HostBusyError at once, without
// waiting or touching the row: the task is to be put back for a little
// later. Any other error means the infrastructure failed (database, keys,
// an interrupted request), for the queue to retry the task.
func (d *Deliverer) Deliver(ctx context.Context, id int64) error {
	dl, err := d.deps.Store.DeliveryByID(ctx, id)
	if app.ErrorCode(err) == app.ENOTFOUND {
		d.log.DebugContext(ctx, "delivery is gone", "delivery", id)
		return nil
	}
	if err != nil {
		return fmt.Errorf("load delivery %d: %w", id, err)
	}
	if dl.State != app.DeliveryPending || dl.NextAttemptAt.After(d.now().Add(earlyBy)) {
		return nil
	}
	release, ok := d.hosts.tryAcquire(dl.Host)
	if !ok {
		return &HostBusyError{Host: dl.Host, After: busyDelay()}
	}
	defer release()
	if reason, err := d.skipReason(ctx, dl.Host); err != nil || reason != "" {
		if err != nil {
			return fmt.Errorf("delivery %d: %w", id, err)
		}
		return d.skip(ctx, dl, reason)
	}
	act, err := d.deps.Store.ActivityByID(ctx, dl.ActivityID)
	if err != nil {
		return fmt.Errorf("delivery %d: %w", id, err)
	}
	signer, err := d.deps.Keys.SignerFor(ctx, act.ActorURI)
	if code := app.ErrorCode(err); code == app.ENOTFOUND || code == app.EINVALID {
		return d.bury(ctx, dl, "no key to sign as "+act.ActorURI+": "+err.Error())
	} else if err != nil {
		return fmt.Errorf("delivery %d: %w", id, err)
	}
	return d.attempt(ctx, dl, act, signer)
}

// attempt POSTs the activity, once the delivery is claimed, and records
// the outcome. The caller holds a slot of the host.
func (d *Deliverer) attempt(ctx context.Context, dl *app.Delivery, act *app.Activity, signer *httpsig.Signer) error {
	now := d.now()
	won, err := d.deps.Store.ClaimDelivery(ctx, dl.ID, dl.Attempts, now.Add(earlyBy), now.Add(lease))
	if err != nil || !won {
		return err
	}
	resp, postErr := d.deps.Client.WithSigner(signer).Post(ctx, dl.Inbox, []byte(act.Document))
	if postErr != nil && ctx.Err() != nil {
		// Stopped (shutdown, task deadline): the outcome is unknown, so
		// the attempt does not count; give the row back for the retry.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		rerr := d.deps.Store.ReleaseDelivery(rctx, dl.ID, dl.Attempts, d.now())
		return fmt.Errorf("delivery %d to %s interrupted: %w", dl.ID, dl.Inbox, errors.Join(ctx.Err(), rerr))
	}
	switch {
	case postErr == nil:
		return d.delivered(ctx, dl, resp.StatusCode)
	case errors.Is(postErr, transport.ErrTooLarge):
		// Only a 2xx body is read, so the inbox took the activity.
		return d.delivered(ctx, dl, 0)
	}
	return d.failed(ctx, dl, postErr)
}

// skipReason tells why deliveries to host are not attempted, if they are not.
func (d *Deliverer) skipReason(ctx context.Context, host string) (string, error) {
	if d.deps.Moderation != nil {
		rejected, err := d.deps.Moderation.Rejects(ctx, host)
		if err != nil {
			return "", err
		}
		if rejected {
			return "domain blocked by admins", nil
		}
	}
	h, err := d.deps.Store.RemoteHostByName(ctx, host)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		return "", nil
	case err != nil:
		return "", err
	case h.UnreachableSince != nil:
		return "host unreachable since " + h.UnreachableSince.UTC().Format(time.RFC3339), nil
	}
	return "", nil
}

// skip marks a delivery skipped.
func (d *Deliverer) skip(ctx context.Context, dl *app.Delivery, reason string) error {
	if _, err := d.deps.Store.SkipDelivery(ctx, dl.ID, reason, d.now()); err != nil {
		return fmt.Errorf("skip delivery %d: %w", dl.ID, err)
	}
	d.log.InfoContext(ctx, "delivery skipped", "delivery", dl.ID, "inbox", dl.Inbox, "reason", reason)
	return nil
}

// bury marks a delivery dead without an attempt.
func (d *Deliverer) bury(ctx context.Context, dl *app.Delivery, reason string) error {
	dl.State, dl.LastError = app.DeliveryDead, truncate(reason)
	if err := d.deps.Store.SaveDeliveryAttempt(ctx, dl); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	d.log.WarnContext(ctx, "delivery dead", "delivery", dl.ID, "inbox", dl.Inbox, "reason", reason)
	return nil
}

// delivered records a successful attempt.
func (d *Deliverer) delivered(ctx context.Context, dl *app.Delivery, status int) error {
	now := d.now()
	dl.Attempts++
	dl.State, dl.LastStatus, dl.LastError, dl.DeliveredAt = app.DeliveryDelivered, status, "", &now
	if err := d.deps.Store.SaveDeliveryAttempt(ctx, dl); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	if err := d.deps.Store.RecordHostSuccess(ctx, dl.Host, now); err != nil {
		return fmt.Errorf("delivery %d: %w", dl.ID, err)
	}
	d.log.DebugContext(ctx, "delivered", "delivery", dl.ID, "inbox", dl.Inbox, "status", status, "attempts", dl.Attempts)
	return nil
}

func truncate(s string) string {
	if len(s) > maxErrorText {
		return s[:maxErrorText]
	}
	return s
}

// statusOf is the HTTP status of a failed request, 0 if none came back.
func statusOf(err error) int {
	var se *transport.StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}
