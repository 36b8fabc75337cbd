package follows

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// FollowRequests lists the follows of username waiting for approval (users
// who approve followers by hand).
func (s *Service) FollowRequests(ctx context.Context, username string) ([]app.Follow, error) {
	return s.d.Store.PendingFollowsOf(ctx, s.d.URLs.Actor(username), maxRequests)
}

// DecideFollowRequest accepts or rejects follow request id of username and
// sends the Accept or Reject. Another user's request is not found.
func (s *Service) DecideFollowRequest(ctx context.Context, username string, id int64, accept bool) error {
	f, err := s.d.Store.FollowByID(ctx, id)
	if err != nil {
		return err
	}
	if f.FolloweeURI != s.d.URLs.Actor(username) {
		return app.Errorf(app.ENOTFOUND, "no follow request %d for %s", id, username)
	}
	return s.Decide(ctx, id, accept)
}

// Decide accepts (accept true) or rejects a follow of a local user and
// sends the Accept or Reject. Rejecting an accepted follow removes the
// follower.
func (s *Service) Decide(ctx context.Context, followID int64, accept bool) error {
	state := app.FollowRejected
	if accept {
		state = app.FollowAccepted
	}
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.d.Store.FollowByID(ctx, followID)
		if err != nil {
			return err
		}
		if _, ok := s.d.URLs.LocalUsername(f.FolloweeURI); !ok {
			return app.Errorf(app.EINVALID, "follow %d is not of a local user", followID)
		}
		if err := s.d.Store.SetFollowState(ctx, f.ID, state); err != nil {
			return err
		}
		f.State = state
		if err := s.d.Outbox.SendAnswer(ctx, f, accept); err != nil {
			return fmt.Errorf("answer follow %d: %w", f.ID, err)
		}
		return nil
	})
}
