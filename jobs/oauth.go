package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypePruneOAuthCodes deletes the OAuth authorization codes that expired
// a day ago or more (app/oauthapps.Service.PruneCodes).
const TypePruneOAuthCodes = "oauth:prune_codes"

// NewPruneOAuthCodesTask is the periodic pruning; a failed run is simply
// run again by the next period.
func NewPruneOAuthCodesTask() *asynq.Task {
	return asynq.NewTask(TypePruneOAuthCodes, nil, asynq.MaxRetry(0), asynq.Timeout(10*time.Minute))
}

// HandlePruneOAuthCodesTask runs prune.
func HandlePruneOAuthCodesTask(prune func(ctx context.Context) (int64, error)) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		_, err := prune(ctx)
		return err
	}
}
