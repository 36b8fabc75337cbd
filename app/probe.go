package app

import (
	"context"
	"time"
)

// JobProbe is a test job: enqueued by a web process, marked processed by
// whichever worker ran it. Admins use it to check that workers are running.
type JobProbe struct {
	ID          int64
	EnqueuedBy  string
	ProcessedBy *string
	CreatedAt   time.Time
	ProcessedAt *time.Time
}

// JobProbeStore persists job probes.
type JobProbeStore interface {
	CreateJobProbe(ctx context.Context, p *JobProbe) error
	MarkJobProbeProcessed(ctx context.Context, id int64, by string, at time.Time) error
	JobProbe(ctx context.Context, id int64) (*JobProbe, error)
}
