package federation

import (
	"context"
	"time"
)

// Queue runs federation work in the background. The database row is the
// record (activities and deliveries tables); the queue only says "look at
// row N now", so enqueueing the same row twice is harmless.
type Queue interface {
	// EnqueueInbox asks for a received activity to be processed.
	EnqueueInbox(ctx context.Context, activityID int64) error
	// EnqueueDelivery asks for delivery attempt number `attempt` of a
	// delivery row to run at `at` (now when zero).
	EnqueueDelivery(ctx context.Context, deliveryID int64, attempt int, at time.Time) error
}
