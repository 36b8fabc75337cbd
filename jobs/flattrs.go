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

// TypeCloseMonth closes the previous month once its grace period is over
// (app/months.Service.Close).
const TypeCloseMonth = "months:close"

// NewCloseMonthTask is the periodic close; the next period resumes a close
// that failed.
func NewCloseMonthTask() *asynq.Task {
	return asynq.NewTask(TypeCloseMonth, nil, asynq.MaxRetry(0), asynq.Timeout(time.Hour))
}

// HandleCloseMonthTask runs closeDue.
func HandleCloseMonthTask(closeDue func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return closeDue(ctx) }
}
