package delivery

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// MaxList is the most deliveries ByState returns.
const MaxList = 500

// SweepDue puts every pending delivery whose next attempt is due back on
// the queue, as attempt number attempts+1, whatever became of its task
// (lost with the embedded Redis, archived after its retries ran out). A
// task still queued for that attempt has the same task id and is queued
// once; if two run anyway, the claim lets one send. Rows under a claim
// are not due. Run it at start-up and periodically; it is what makes the
// queue durable.
func (d *Deliverer) SweepDue(ctx context.Context) error {
	now := d.now()
	var after int64
	total := 0
	for {
		rows, err := d.deps.Store.DueDeliveries(ctx, now, after, d.deps.SweepBatch)
		if err != nil {
			return fmt.Errorf("sweep deliveries: %w", err)
		}
		for _, r := range rows {
			if err := d.deps.Queue.EnqueueDelivery(ctx, r.ID, r.Attempts+1, time.Time{}); err != nil {
				return fmt.Errorf("sweep deliveries: enqueue %d: %w", r.ID, err)
			}
			after = r.ID
		}
		total += len(rows)
		if len(rows) < d.deps.SweepBatch {
			break
		}
	}
	if total > 0 {
		d.log.InfoContext(ctx, "due deliveries re-enqueued", "count", total)
	}
	return nil
}

// MarkReachable ends host's failure streak and unreachable mark: call it
// when anything arrives from the host (the inbox does, for every inbound
// activity). A successful delivery does the same. Deliveries skipped while
// the host was unreachable stay skipped; new ones are sent again. A host
// is written at most once a minute per process, so calling this on every
// request is cheap.
func (d *Deliverer) MarkReachable(ctx context.Context, host string) error {
	host = strings.ToLower(host)
	now := d.now()
	if host == "" || d.reachable.recent(host, now) {
		return nil
	}
	marked, err := d.deps.Store.MarkHostReachable(ctx, host, now)
	if err != nil {
		return fmt.Errorf("mark %s reachable: %w", host, err)
	}
	if marked {
		d.log.InfoContext(ctx, "host reachable again", "host", host)
	}
	d.reachable.add(host, now)
	return nil
}

// Dead lists dead deliveries (the dead letters), most recent first.
func (d *Deliverer) Dead(ctx context.Context, limit int) ([]app.Delivery, error) {
	return d.ByState(ctx, app.DeliveryDead, limit)
}

// ByState lists deliveries in state (pending, delivered, dead or
// skipped), most recently changed first, at most limit (1 to MaxList;
// out-of-range limits are clamped).
func (d *Deliverer) ByState(ctx context.Context, state string, limit int) ([]app.Delivery, error) {
	switch state {
	case app.DeliveryPending, app.DeliveryDelivered, app.DeliveryDead, app.DeliverySkipped:
	default:
		return nil, app.Errorf(app.EINVALID, "state must be %s, %s, %s or %s",
			app.DeliveryPending, app.DeliveryDelivered, app.DeliveryDead, app.DeliverySkipped)
	}
	limit = min(max(limit, 1), MaxList)
	out, err := d.deps.Store.DeliveriesByState(ctx, state, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s deliveries: %w", state, err)
	}
	return out, nil
}

// Retry puts a dead or skipped delivery back to pending and queues it now
// (admins). Its attempt count is kept, so a delivery that had used up its
// attempts gets exactly one more. A retry is a sign from the admin that
// the host is back: its unreachable mark, if any, is lifted.
func (d *Deliverer) Retry(ctx context.Context, id int64) (*app.Delivery, error) {
	dl, err := d.deps.Store.RetryDelivery(ctx, id, d.now())
	if err != nil {
		return nil, fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if _, err := d.deps.Store.MarkHostReachable(ctx, dl.Host, d.now()); err != nil {
		return nil, fmt.Errorf("retry delivery %d: %w", id, err)
	}
	if err := d.deps.Queue.EnqueueDelivery(ctx, dl.ID, dl.Attempts+1, time.Time{}); err != nil {
		d.log.WarnContext(ctx, "enqueue retried delivery; the sweep will", "delivery", id, "err", err)
	}
	return dl, nil
}
