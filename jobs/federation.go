package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
)

// Federation task types.
const (
	TypeInbox   = "federation:inbox"
	TypeDeliver = "federation:deliver"
	TypeSweep   = "federation:sweep"
)

type rowPayload struct {
	ID int64 `json:"id"`
}

// FederationQueue enqueues federation work (it implements federation.Queue).
type FederationQueue struct {
	Client *Client
}

// EnqueueInbox queues processing of received activity id, once.
func (q FederationQueue) EnqueueInbox(ctx context.Context, activityID int64) error {
	payload, _ := json.Marshal(rowPayload{ID: activityID})
	task := asynq.NewTask(TypeInbox, payload, asynq.MaxRetry(8), asynq.Timeout(2*time.Minute),
		asynq.TaskID("inbox-"+strconv.FormatInt(activityID, 10)), asynq.Retention(time.Hour))
	return q.Client.Enqueue(ctx, QueueDefault, task)
}

// EnqueueDelivery queues attempt number attempt of delivery id at `at`.
func (q FederationQueue) EnqueueDelivery(ctx context.Context, deliveryID int64, attempt int, at time.Time) error {
	payload, _ := json.Marshal(rowPayload{ID: deliveryID})
	opts := []asynq.Option{
		asynq.MaxRetry(3), asynq.Timeout(time.Minute), asynq.Retention(time.Hour),
		asynq.TaskID(fmt.Sprintf("deliver-%d-%d", deliveryID, attempt)),
	}
	if !at.IsZero() {
		opts = append(opts, asynq.ProcessAt(at))
	}
	return q.Client.Enqueue(ctx, QueueDefault, asynq.NewTask(TypeDeliver, payload, opts...))
}

// HandleRowTask runs h on the row id in the task's payload. A payload that
// does not parse is not retried.
func HandleRowTask(h func(ctx context.Context, id int64) error) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p rowPayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil || p.ID == 0 {
			return fmt.Errorf("%s payload %q: %w", t.Type(), t.Payload(), asynq.SkipRetry)
		}
		if err := h(ctx, p.ID); err != nil {
			return fmt.Errorf("%s %d: %w", t.Type(), p.ID, err)
		}
		return nil
	}
}

// NewSweepTask returns the periodic task that re-enqueues work the queue
// may have lost (a restart of the embedded Redis, a crash).
func NewSweepTask() *asynq.Task {
	return asynq.NewTask(TypeSweep, nil, asynq.MaxRetry(0), asynq.Timeout(5*time.Minute))
}

// HandleSweepTask runs sweep.
func HandleSweepTask(sweep func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return sweep(ctx) }
}
