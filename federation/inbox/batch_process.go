package inbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
)

// A batch is the received activities the batch writer stored in one
// INSERT; the Likes among them are queued as one federation:inbox-batch
// task. ProcessBatch does for each row what Process does, with one
// statement per step for the whole batch instead of per row.

// batchable tells whether activities of type t go into batch tasks: their
// handler only writes rows (no fetch), so that a batch of them is applied
// in one transaction.
func batchable(t string) bool { return t == "Like" || t == "EmojiReact" }

// batchItem is one claimed row of a batch and its parsed document, or why
// it cannot be applied.
type batchItem struct {
	rec *app.Activity
	act *as2.Activity
	err error
}

// ProcessBatch applies the received activities ids: the body of the
// federation:inbox-batch job. It claims, in one statement, every row of
// ids that is pending and due (rows done, taken by another worker or not
// due are left alone, so a duplicate task does nothing), asks moderation
// once for the batch's distinct actors and hosts, then applies the
// batchable rows in one transaction that also marks them processed. When
// that transaction fails, each of its rows is applied and settled on its
// own, as Process would: a row that fails does not take the others down,
// and gets its attempt counted and its retry queued. Rows of other types
// are applied one by one, and the successes marked processed in one
// statement. An error return means "try the task again later".
//
// The common batch (Likes only, all allowed) takes a shorter way first:
// one transaction that claims its rows by marking them processed, then
// applies them (see takeBatch). Anything else in the batch rolls that
// back, and the batch goes the way above.
func (in *Inbox) ProcessBatch(ctx context.Context, ids []int64) error {
	together := in.tx != nil
	if together {
		switch err := in.takeBatch(ctx, ids); {
		case err == nil:
			return nil
		case !errors.Is(err, errNotTogether):
			// Tried together already: now one by one.
			in.log.WarnContext(ctx, "inbox: batch failed, applying its rows one by one", "rows", len(ids), "err", err)
			together = false
		}
	}
	return in.claimBatch(ctx, ids, together)
}

// claimBatch is ProcessBatch with claims: together tells whether its
// batchable rows are to be applied in one transaction first.
func (in *Inbox) claimBatch(ctx context.Context, ids []int64, together bool) error {
	now := in.nowUTC()
	recs, err := in.store.ClaimActivities(ctx, ids, now.Add(earlyBy), now.Add(claimLease))
	if err != nil {
		return fmt.Errorf("process batch of %d activities: %w", len(ids), err)
	}
	if len(recs) < len(ids) {
		in.log.DebugContext(ctx, "inbox: batch rows not claimed (done, taken or not due)", "rows", len(ids), "claimed", len(recs))
	}
	if len(recs) == 0 {
		return nil
	}
	items := in.screenBatch(ctx, recs)
	var joint, alone []batchItem
	var errs []error
	for _, it := range items {
		switch {
		case it.err != nil:
			errs = append(errs, in.settle(ctx, it.rec, it.err))
		case batchable(it.act.Type) && together:
			joint = append(joint, it)
		default:
			alone = append(alone, it)
		}
	}
	if err := in.applyTogether(ctx, joint); err != nil {
		in.log.WarnContext(ctx, "inbox: batch failed, applying its rows one by one", "rows", len(joint), "err", err)
		alone = append(alone, joint...)
	}
	errs = append(errs, in.applyAlone(ctx, alone))
	return errors.Join(errs...)
}

// screenBatch parses the claimed rows and asks moderation about their
// actors, once for the batch.
func (in *Inbox) screenBatch(ctx context.Context, recs []app.Activity) []batchItem {
	items := make([]batchItem, len(recs))
	var senders []moderation.Sender
	for i := range recs {
		items[i].rec = &recs[i]
		items[i].act, items[i].err = parseStored(&recs[i])
		if items[i].err == nil {
			senders = append(senders, senderOf(items[i].act))
		}
	}
	allowed, err := in.moderation.AllowsAll(ctx, senders)
	for i := range items {
		it := &items[i]
		switch {
		case it.err != nil:
		case err != nil:
			it.err = fmt.Errorf("moderation of a batch: %w", err)
		case !allowed[senderOf(it.act)]:
			it.err = blocked(it.act)
		}
	}
	return items
}

func senderOf(act *as2.Activity) moderation.Sender {
	return moderation.Sender{Host: dereference.HostOf(act.Actor), ActorURI: act.Actor}
}

// applyTogether applies items in one transaction that also marks them
// processed: all or nothing.
func (in *Inbox) applyTogether(ctx context.Context, items []batchItem) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, len(items))
	return in.tx.WithTx(ctx, func(ctx context.Context) error {
		for i, it := range items {
			if err := in.dispatch(ctx, it.rec, it.act); err != nil {
				return fmt.Errorf("activity %d: %w", it.rec.ID, err)
			}
			ids[i] = it.rec.ID
		}
		return in.store.MarkActivitiesProcessed(ctx, ids, in.nowUTC())
	})
}

// applyAlone applies each item on its own: failures are settled per row
// (attempt counted, retry queued, or failed), successes marked processed
// in one statement at the end.
func (in *Inbox) applyAlone(ctx context.Context, items []batchItem) error {
	var done []int64
	var errs []error
	for _, it := range items {
		err := in.dispatch(ctx, it.rec, it.act)
		if err == nil {
			done = append(done, it.rec.ID)
			continue
		}
		errs = append(errs, in.settle(ctx, it.rec, err))
	}
	if err := in.store.MarkActivitiesProcessed(ctx, done, in.nowUTC()); err != nil {
		// Under their claims until the lease ends; then the sweep queues
		// them again, and the handlers, idempotent, change nothing.
		errs = append(errs, fmt.Errorf("process batch: %w", err))
	}
	return errors.Join(errs...)
}

// errNotTogether rolls back takeBatch's transaction: a row of the batch is
// not a Like or cannot be applied, so its rows go the longer way.
var errNotTogether = errors.New("batch has rows to apply one by one")

// takeBatch applies the batch ids in one transaction that first marks its
// pending, due rows processed (store.TakeActivities): their row locks are
// the claim, so a duplicate task waits and then finds them done, and a
// rollback leaves them pending and due, as they were. It fails with
// errNotTogether, having changed nothing, when a row is not batchable or
// cannot be applied (malformed, blocked).
func (in *Inbox) takeBatch(ctx context.Context, ids []int64) error {
	now := in.nowUTC()
	return in.tx.WithTx(ctx, func(ctx context.Context) error {
		recs, err := in.store.TakeActivities(ctx, ids, now.Add(earlyBy), now)
		if err != nil {
			return fmt.Errorf("take batch of %d activities: %w", len(ids), err)
		}
		if len(recs) < len(ids) {
			in.log.DebugContext(ctx, "inbox: batch rows not taken (done, taken or not due)", "rows", len(ids), "taken", len(recs))
		}
		items := in.screenBatch(ctx, recs)
		for _, it := range items {
			if it.err != nil || !batchable(it.act.Type) {
				return errNotTogether
			}
		}
		return in.likeAll(ctx, items)
	})
}

// likeAll hands the Likes of items to the flattr use case at once: what
// like does for each, in one call. A Like whose terms are wrong fails them
// all with errNotTogether, before anything is applied.
func (in *Inbox) likeAll(ctx context.Context, items []batchItem) error {
	if len(items) == 0 {
		return nil
	}
	rs := make([]flattrs.Received, len(items))
	for i, it := range items {
		r, err := received(it.act, it.act.FlattrTerms)
		if err != nil {
			return errNotTogether
		}
		rs[i] = r
	}
	whats, err := in.likes.ReceiveAll(ctx, rs)
	if err != nil {
		return fmt.Errorf("likes of a batch: %w", err)
	}
	for i, what := range whats {
		if what == flattrs.Ignored {
			_ = in.ignore(ctx, items[i].act, "the liked object is not local, or the Like was undone")
		}
	}
	return nil
}
