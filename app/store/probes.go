package store

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

var _ app.JobProbeStore = (*Store)(nil)

// CreateJobProbe inserts a probe.
func (s *Probes) CreateJobProbe(ctx context.Context, p *app.JobProbe) error {
	return translate(s.conn(ctx).Create(p).Error, "job probe")
}

// MarkJobProbeProcessed records which worker ran the probe, once.
func (s *Probes) MarkJobProbeProcessed(ctx context.Context, id int64, by string, at time.Time) error {
	res := s.conn(ctx).Model(&app.JobProbe{}).Where("id = ? AND processed_at IS NULL", id).
		Updates(map[string]any{"processed_by": by, "processed_at": at})
	if res.Error != nil {
		return translate(res.Error, fmt.Sprintf("job probe %d", id))
	}
	return nil
}

// JobProbe loads a probe.
func (s *Probes) JobProbe(ctx context.Context, id int64) (*app.JobProbe, error) {
	var p app.JobProbe
	err := s.conn(ctx).First(&p, id).Error
	return &p, translate(err, fmt.Sprintf("job probe %d", id))
}
