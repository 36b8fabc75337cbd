package inbox

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/federation/as2"
)

// storeApplied stores a batch of received activities and applies its
// Likes in the same transaction, so that a Like costs one row written and
// no task: its row is stored processed, beside the like it records. What
// ProcessBatch would decide is decided here, with the same calls:
// moderation, asked once for the batch and uncached (a block since the
// request was checked counts), then the like use case for all of them at
// once. Other activities in the batch are stored pending for the worker,
// as are all of them when it fails: errNotTogether, having stored
// nothing, when the batch has no Like it could apply, or a Like whose
// actor moderation now refuses (the worker then fails that row). With
// Deps.DeferFlattrs, flattrs (Likes with the weight terms) are stored
// pending for the workers too, and only cheers and reactions applied.
func (in *Inbox) storeApplied(ctx context.Context, batch []pendingRow) ([]bool, error) {
	var senders []moderation.Sender
	apply := make([]bool, len(batch))
	for i, p := range batch {
		if p.act != nil && batchable(p.act.Type) && !(in.deferFlattrs && isFlattr(p.act)) {
			apply[i] = true
			senders = append(senders, senderOf(p.act))
		}
	}
	if len(senders) == 0 {
		return nil, errNotTogether
	}
	rows := make([]*app.Activity, len(batch))
	for i, p := range batch {
		rows[i] = p.row
	}
	var inserted []bool
	err := in.tx.WithTx(ctx, func(ctx context.Context) error {
		allowed, err := in.moderation.AllowsAll(ctx, senders)
		if err != nil {
			return fmt.Errorf("moderation of a batch: %w", err)
		}
		now := in.nowUTC()
		for i, p := range batch {
			if !apply[i] {
				continue
			}
			if !allowed[senderOf(p.act)] {
				return errNotTogether
			}
			p.row.State, p.row.ProcessedAt = app.ActivityProcessed, &now
		}
		if inserted, err = in.store.InsertActivities(ctx, rows); err != nil {
			return err
		}
		var items []batchItem
		for i, p := range batch {
			if inserted[i] && p.row.State == app.ActivityProcessed {
				items = append(items, batchItem{rec: p.row, act: p.act})
			}
		}
		return in.likeAll(ctx, items)
	})
	if err != nil {
		return nil, err
	}
	return inserted, nil
}

// isFlattr tells whether act is a flattr (a Like with Plaudit's weight
// terms) rather than a cheer or a reaction, as received decides; one whose
// terms are wrong counts as one, for the worker to refuse.
func isFlattr(act *as2.Activity) bool {
	r, err := received(act, act.FlattrTerms)
	return r.Terms != nil || err != nil
}
