package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// Client enqueues tasks.
type Client struct {
	c      *asynq.Client
	queues Queues
}

// NewClient returns a Client on r.
func NewClient(r *Redis, queues Queues) *Client {
	return &Client{c: asynq.NewClient(r.Opt), queues: queues}
}

// Enqueue puts task on queue. A task whose TaskID or uniqueness lock is
// already taken is not an error: it is queued once.
func (c *Client) Enqueue(ctx context.Context, queue string, task *asynq.Task, opts ...asynq.Option) error {
	opts = append([]asynq.Option{asynq.Queue(c.queues.Name(queue))}, opts...)
	_, err := c.c.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrDuplicateTask) || errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", task.Type(), err)
	}
	return nil
}

// Close releases the client's connection.
func (c *Client) Close() error { return c.c.Close() }
