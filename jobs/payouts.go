package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypeRunPayouts runs a payout run through a provider that pays by itself
// (app/payouts.Service.Run with Stripe Connect).
const TypeRunPayouts = "payouts:run"

// NewRunPayoutsTask is the periodic payout run; a run that failed half
// way is finished by the next period's.
func NewRunPayoutsTask() *asynq.Task {
	return asynq.NewTask(TypeRunPayouts, nil, asynq.MaxRetry(0), asynq.Timeout(time.Hour))
}

// HandleRunPayoutsTask runs run.
func HandleRunPayoutsTask(run func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return run(ctx) }
}
