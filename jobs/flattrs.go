package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeRenewSubscriptions renews the flattrs of subscriptions for the new
// month (app/flattrs.Service.RenewSubscriptions).
const TypeRenewSubscriptions = "flattrs:renew"

// NewRenewSubscriptionsTask is the periodic renewal; a failed run is
// simply run again by the next period.
func NewRenewSubscriptionsTask() *asynq.Task {
	return asynq.NewTask(TypeRenewSubscriptions, nil, asynq.MaxRetry(0), asynq.Timeout(30*time.Minute))
}

// HandleRenewSubscriptionsTask runs renew.
func HandleRenewSubscriptionsTask(renew func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return renew(ctx) }
}
