package jobs

import (
	"context"
	"time"

	"github.com/hibiken/asynq"
)

// TypePollFavourites turns new favourites on funders' home servers into
// flattrs (app/autoflattr.Service.Poll).
const TypePollFavourites = "autoflattr:poll"

// NewPollFavouritesTask is the periodic poll; a failed run is run again
// by the next period.
func NewPollFavouritesTask() *asynq.Task {
	return asynq.NewTask(TypePollFavourites, nil, asynq.MaxRetry(0), asynq.Timeout(30*time.Minute))
}

// HandlePollFavouritesTask runs poll.
func HandlePollFavouritesTask(poll func(ctx context.Context) (int, error)) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error {
		_, err := poll(ctx)
		return err
	}
}
