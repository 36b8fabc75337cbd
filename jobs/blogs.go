package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Blog task types.
const (
	// TypeBlogPoll polls one blog's feed (payload: the blog's id).
	TypeBlogPoll = "blogs:poll"
	// TypeBlogSchedule queues a poll of every feed that is due.
	TypeBlogSchedule = "blogs:schedule"
)

// BlogQueue enqueues feed polls (it implements app/blogs.Queue) on
// QueueLow. A blog has one poll task at a time: its id names the blog,
// and a poll queued while one is pending is dropped (see Client.Enqueue).
// The blog's next_poll_at is the record, so a lost task only waits for the
// next scheduling round.
type BlogQueue struct {
	Client *Client
}

// EnqueueBlogPoll queues a poll of blog id now.
func (q BlogQueue) EnqueueBlogPoll(ctx context.Context, blogID int64) error {
	payload, _ := json.Marshal(rowPayload{ID: blogID})
	return q.Client.Enqueue(ctx, QueueLow, asynq.NewTask(TypeBlogPoll, payload),
		asynq.MaxRetry(3), asynq.Timeout(2*time.Minute), asynq.Retention(time.Minute),
		asynq.TaskID(fmt.Sprintf("blog-poll-%d", blogID)))
}

// NewBlogScheduleTask returns the periodic task that queues due polls.
func NewBlogScheduleTask() *asynq.Task {
	return asynq.NewTask(TypeBlogSchedule, nil, asynq.MaxRetry(0), asynq.Timeout(time.Minute))
}

// HandleBlogScheduleTask runs schedule.
func HandleBlogScheduleTask(schedule func(ctx context.Context) error) asynq.HandlerFunc {
	return func(ctx context.Context, _ *asynq.Task) error { return schedule(ctx) }
}
