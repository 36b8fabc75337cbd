package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// Client enqueues tasks.
type Client struct {
	c       *asynq.Client
	inspect *asynq.Inspector
	queues  Queues
}

// NewClient returns a Client on r.
func NewClient(r *Redis, queues Queues) *Client {
	return &Client{c: asynq.NewClient(r.Opt), inspect: asynq.NewInspectorFromRedisClient(r.Client()), queues: queues}
}

// Enqueue puts task on queue. A task whose uniqueness lock is taken is not
// an error: it is queued once. A TaskID in opts only avoids queueing the
// same work twice; it never keeps work from running now. When the id is
// held by a task that is about to run (pending, scheduled, running),
// nothing more is queued. When it is held by one that will not run soon
// (waiting for asynq's retry backoff, archived after its retries ran out,
// or completed and kept for its retention), that task is replaced by this
// one: asynq keeps archived tasks for up to 90 days, and the database rows
// these tasks point at must be worked on again long before that.
func (c *Client) Enqueue(ctx context.Context, queue string, task *asynq.Task, opts ...asynq.Option) error {
	name := c.queues.Name(queue)
	opts = append([]asynq.Option{asynq.Queue(name)}, opts...)
	_, err := c.c.EnqueueContext(ctx, task, opts...)
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		err = c.replaceFinished(ctx, name, taskID(opts), task, opts)
	}
	if errors.Is(err, asynq.ErrDuplicateTask) || errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue %s: %w", task.Type(), err)
	}
	return nil
}

// replaceFinished enqueues task again after its id was found taken: it
// deletes the task holding id unless that task is about to run, in which
// case it returns asynq.ErrTaskIDConflict.
func (c *Client) replaceFinished(ctx context.Context, queue, id string, task *asynq.Task, opts []asynq.Option) error {
	if id == "" {
		return asynq.ErrTaskIDConflict
	}
	info, err := c.inspect.GetTaskInfo(queue, id)
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound):
		// Gone since the conflict (deleted, or its retention ran out).
	case err != nil:
		return fmt.Errorf("inspect task %s: %w", id, err)
	case !replaceable[info.State]:
		return asynq.ErrTaskIDConflict
	default:
		if err := c.inspect.DeleteTask(queue, id); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return fmt.Errorf("delete %s task %s: %w", info.State, id, err)
		}
	}
	_, err = c.c.EnqueueContext(ctx, task, opts...)
	return err
}

// replaceable are the states of a task that Enqueue replaces by a new task
// with the same id.
var replaceable = map[asynq.TaskState]bool{
	asynq.TaskStateRetry:     true,
	asynq.TaskStateArchived:  true,
	asynq.TaskStateCompleted: true,
}

// taskID is the TaskID among opts, "" if none.
func taskID(opts []asynq.Option) string {
	id := ""
	for _, o := range opts {
		if o.Type() == asynq.TaskIDOpt {
			id, _ = o.Value().(string)
		}
	}
	return id
}

// Close releases the client's connection.
func (c *Client) Close() error { return c.c.Close() }
