package follows

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// Received is a Follow that a remote actor sent.
type Received struct {
	ActivityURI string
	FollowerURI string // the remote actor
	FolloweeURI string // the followed actor, as the activity names it
}

// Receive records a remote actor's follow of a local user: accepted at
// once, with an Accept sent back, unless the user approves followers by
// hand; then it waits in pending for Decide. A follower already accepted
// stays accepted when it sends a new Follow. A follow of anything but a
// local user is ignored: it reports false.
func (s *Service) Receive(ctx context.Context, r Received) (bool, error) {
	username, ok := s.d.URLs.LocalUsername(r.FolloweeURI)
	if !ok {
		return false, nil
	}
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return false, fmt.Errorf("follow of %s: %w", username, err)
	}
	if !s.d.URLs.IsLocal(r.FollowerURI) {
		// Deliveries to the follower need its inbox.
		if _, err := s.d.Actors.Actor(ctx, r.FollowerURI, false); err != nil {
			return false, fmt.Errorf("actor %s: %w", r.FollowerURI, err)
		}
	}
	f := &app.Follow{ActivityURI: r.ActivityURI, FollowerURI: r.FollowerURI, FolloweeURI: s.d.URLs.Actor(user.Username), State: app.FollowAccepted}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if user.ManuallyApprovesFollowers {
			f.State = app.FollowPending
			old, err := s.d.Store.FollowByPair(ctx, f.FollowerURI, f.FolloweeURI)
			switch {
			case err == nil && old.State == app.FollowAccepted:
				f.State = app.FollowAccepted
			case err != nil && !errors.Is(err, app.ErrNotFound):
				return err
			}
		}
		if err := s.d.Store.UpsertFollow(ctx, f); err != nil {
			return err
		}
		if f.State != app.FollowAccepted {
			return nil
		}
		return s.d.Outbox.SendAnswer(ctx, f, true)
	})
	if err != nil {
		return false, fmt.Errorf("follow of %s by %s: %w", username, r.FollowerURI, err)
	}
	return true, nil
}

// Unfollowed removes a remote actor's follow of a local actor: the
// follower undid its Follow (named by followee, or else by the Follow's
// id). It reports false when it names no followee.
func (s *Service) Unfollowed(ctx context.Context, followerURI, followeeURI, followActivityURI string) (bool, error) {
	if followeeURI == "" && followActivityURI != "" {
		f, err := s.d.Store.FollowByActivityURI(ctx, followActivityURI)
		switch {
		case err == nil:
			followeeURI = f.FolloweeURI
		case !errors.Is(err, app.ErrNotFound):
			return false, err
		}
	}
	if username, ok := s.d.URLs.LocalUsername(followeeURI); ok {
		followeeURI = s.d.URLs.Actor(username)
	}
	if followeeURI == "" {
		return false, nil
	}
	if _, err := s.d.Store.DeleteFollow(ctx, followerURI, followeeURI); err != nil {
		return false, err
	}
	return true, nil
}

// Answer is the followee's Accept or Reject of a Follow a local actor
// sent.
type Answer struct {
	// FollowActivityURI is the id of the answered Follow.
	FollowActivityURI string
	// FollowerURI and FolloweeURI are the embedded Follow's actor and
	// object, used when its id is not one we know (some servers answer
	// with a Follow of their own making).
	FollowerURI, FolloweeURI string
	// By is the actor that answered.
	By       string
	Accepted bool
}

// Answered applies the followee's answer to a follow a local actor made.
// Only the followee can answer: anyone else is app.EFORBIDDEN.
func (s *Service) Answered(ctx context.Context, a Answer) error {
	f, err := s.answeredFollow(ctx, a)
	if err != nil {
		return err
	}
	if !app.SameID(f.FolloweeURI, a.By) {
		return app.Errorf(app.EFORBIDDEN, "answer to follow %s by %s, who is not the followee", f.ActivityURI, a.By)
	}
	state := app.FollowRejected
	if a.Accepted {
		state = app.FollowAccepted
	}
	if f.State == state {
		return nil
	}
	return s.d.Store.SetFollowState(ctx, f.ID, state)
}

// answeredFollow finds the follow an answer refers to: by the Follow's
// id, or by its actor and object.
func (s *Service) answeredFollow(ctx context.Context, a Answer) (*app.Follow, error) {
	f, err := s.d.Store.FollowByActivityURI(ctx, a.FollowActivityURI)
	if err == nil || !errors.Is(err, app.ErrNotFound) || a.FollowerURI == "" || a.FolloweeURI == "" {
		return f, err
	}
	return s.d.Store.FollowByPair(ctx, a.FollowerURI, a.FolloweeURI)
}
