package months

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// CloseDone tells whether month's close has finished: its ledger is
// written, so statements to peers may follow.
func (s *Service) CloseDone(ctx context.Context, month string) (bool, error) {
	c, err := s.d.Store.CloseOf(ctx, month)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, err
	}
	return c.Stage == app.CloseDone, nil
}
