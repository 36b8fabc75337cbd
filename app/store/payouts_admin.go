package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// Batches lists the latest payout batches, newest first, with their
// payouts.
func (s *Payouts) Batches(ctx context.Context, limit int) ([]*app.PayoutBatch, error) {
	var rows []payoutBatchRow
	if err := s.conn(ctx).Order("created_at DESC, id DESC").Limit(limit).Find(&rows).Error; err != nil {
		return nil, translate(err, "payout batches")
	}
	out := make([]*app.PayoutBatch, 0, len(rows))
	for i := range rows {
		b, err := s.BatchByID(ctx, rows[i].ID)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
