package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/app"
)

// TypeProbe is the task that proves a worker is processing jobs.
const TypeProbe = "system:probe"

type probePayload struct {
	ProbeID int64 `json:"probe_id"`
}

// NewProbeTask returns the task for probe id.
func NewProbeTask(id int64) *asynq.Task {
	payload, _ := json.Marshal(probePayload{ProbeID: id}) // cannot fail for this struct
	return asynq.NewTask(TypeProbe, payload, asynq.MaxRetry(3))
}

// HandleProbeTask marks the probe as processed by worker.
func HandleProbeTask(store app.JobProbeStore, worker string) asynq.HandlerFunc {
	return func(ctx context.Context, t *asynq.Task) error {
		var p probePayload
		if err := json.Unmarshal(t.Payload(), &p); err != nil {
			return fmt.Errorf("probe payload: %v: %w", err, asynq.SkipRetry)
		}
		if err := store.MarkJobProbeProcessed(ctx, p.ProbeID, worker, time.Now().UTC()); err != nil {
			return fmt.Errorf("probe %d: %w", p.ProbeID, err)
		}
		return nil
	}
}

// Probes enqueues job probes for the web process.
type Probes struct {
	Store  app.JobProbeStore
	Client *Client
	Name   string // who enqueues, e.g. "web@host:pid"
}

// Start records a probe and enqueues it.
func (p *Probes) Start(ctx context.Context) (*app.JobProbe, error) {
	probe := &app.JobProbe{EnqueuedBy: p.Name, CreatedAt: time.Now().UTC()}
	if err := p.Store.CreateJobProbe(ctx, probe); err != nil {
		return nil, fmt.Errorf("start probe: %w", err)
	}
	if err := p.Client.Enqueue(ctx, QueueDefault, NewProbeTask(probe.ID)); err != nil {
		return nil, fmt.Errorf("start probe %d: %w", probe.ID, err)
	}
	return probe, nil
}

// Get loads a probe.
func (p *Probes) Get(ctx context.Context, id int64) (*app.JobProbe, error) {
	return p.Store.JobProbe(ctx, id)
}
