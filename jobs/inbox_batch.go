package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeInboxBatch is the task that processes a batch of received
// activities: those the inbox stored in one INSERT.
const TypeInboxBatch = "federation:inbox-batch"

type batchPayload struct {
	IDs []int64 `json:"ids"`
}

// EnqueueInboxBatch queues the first processing of the received activities
// ids, now, as one task. Its task id names the batch's first row: the rows
// of two batches never overlap.
func (q FederationQueue) EnqueueInboxBatch(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	payload, _ := json.Marshal(batchPayload{IDs: ids})
	return q.Client.Enqueue(ctx, QueueInbox, asynq.NewTask(TypeInboxBatch, payload),
		asynq.MaxRetry(8), asynq.Timeout(2*time.Minute), asynq.Retention(time.Hour),
		asynq.TaskID(fmt.Sprintf("inbox-batch-%d-%d", ids[0], len(ids))))
}

// HandleBatchTask runs h on the row ids in the task's payload. A payload
// that does not parse, or names no row, is not retried.
func HandleBatchTask(h func(ctx context.Context, ids []int64) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p batchPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || len(p.IDs) == 0 {
			return fmt.Errorf("%s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
		}
		if err := h(ctx, p.IDs); err != nil {
			return fmt.Errorf("%s of %d rows from %d: %w", t.Type(), len(p.IDs), p.IDs[0], err)
		}
		return nil
	}
}
