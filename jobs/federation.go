package jobs

import (
	"context"
	"encoding/json"
	"fmt"
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

// FederationQueue enqueues federation work (it implements federation.Queue
// and inbox.Queue): received activities on QueueInbox, deliveries on
// QueueDelivery. Task ids name the row and the attempt, so that the same
// attempt is queued once; they are not needed for correctness (see
// Client.Enqueue): every handler claims its row first.
type FederationQueue struct {
	Client *Client
}

// EnqueueInbox queues the first processing of activity id, now.
func (q FederationQueue) EnqueueInbox(ctx context.Context, activityID int64) error {
	return q.EnqueueInboxAttempt(ctx, activityID, 1, time.Time{})
}

// EnqueueInboxAttempt queues attempt number attempt of processing received
// activity id at `at` (now when zero).
func (q FederationQueue) EnqueueInboxAttempt(ctx context.Context, activityID int64, attempt int, at time.Time) error {
	payload, _ := json.Marshal(rowPayload{ID: activityID})
	opts := []asynq.Option{
		asynq.MaxRetry(8), asynq.Timeout(2 * time.Minute), asynq.Retention(time.Hour),
		asynq.TaskID(fmt.Sprintf("inbox-%d-%d", activityID, attempt)),
	}
	if !at.IsZero() {
		opts = append(opts, asynq.ProcessAt(at))
	}
	return q.Client.Enqueue(ctx, QueueInbox, asynq.NewTask(TypeInbox, payload), opts...)
}

// EnqueueDelivery queues attempt number attempt of delivery id at `at`
// (now when zero).
func (q FederationQueue) EnqueueDelivery(ctx context.Context, deliveryID int64, attempt int, at time.Time) error {
	payload, _ := json.Marshal(rowPayload{ID: deliveryID})
	opts := []asynq.Option{
		asynq.MaxRetry(3), asynq.Timeout(time.Minute), asynq.Retention(time.Hour),
		asynq.TaskID(fmt.Sprintf("deliver-%d-%d", deliveryID, attempt)),
	}
	if !at.IsZero() {
		opts = append(opts, asynq.ProcessAt(at))
	}
	return q.Client.Enqueue(ctx, QueueDelivery, asynq.NewTask(TypeDeliver, payload), opts...)
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
// may have lost (a restart of the embedded Redis, a crash) or given up on
// (a task archived after its retries ran out).
func NewSweepTask() *asynq.Task {
	return asynq.NewTask(TypeSweep, nil, asynq.MaxRetry(0), asynq.Timeout(5*time.Minute))
}

// HandleSweepTask runs sweep.
func HandleSweepTask(sweep func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return sweep(ctx) }
}
