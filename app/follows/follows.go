// Package follows holds the use cases of follow relations with a local
// side: a local user follows someone or stops, a remote actor follows a
// local user (accepted at once or waiting for approval), the followee's
// answer arrives, a follower is approved or removed.
//
// Each use case writes the follow and the activity that tells the other
// server in one transaction: either both are stored or neither is.
package follows

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// Store persists follows.
type Store interface {
	FollowByID(ctx context.Context, id int64) (*app.Follow, error)
	FollowByPair(ctx context.Context, followerURI, followeeURI string) (*app.Follow, error)
	FollowByActivityURI(ctx context.Context, uri string) (*app.Follow, error)
	UpsertFollow(ctx context.Context, f *app.Follow) error
	SetFollowState(ctx context.Context, id int64, state string) error
	DeleteFollow(ctx context.Context, followerURI, followeeURI string) (bool, error)
	PendingFollowsOf(ctx context.Context, followeeURI string, limit int) ([]app.Follow, error)
}

// Users finds local users.
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
}

// Actors resolves remote actors, fetching those not known yet (implemented
// by federation/dereference).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// Outbox tells other servers about follows (implemented by
// federation/outbox). Each method publishes with ctx, so inside a
// transaction the activity is written in it.
type Outbox interface {
	// SendFollow publishes f's Follow from its follower to its followee
	// and sets f.ActivityURI to the new activity's id.
	SendFollow(ctx context.Context, f *app.Follow) (*app.Activity, error)
	// SendUndoFollow publishes the Undo of f's Follow.
	SendUndoFollow(ctx context.Context, f *app.Follow) (*app.Activity, error)
	// SendAnswer publishes the followee's Accept (accept true) or Reject
	// of f to the follower. Sending the same answer of the same follow
	// again publishes nothing.
	SendAnswer(ctx context.Context, f *app.Follow, accept bool) error
}

// Addresses tells local actors apart (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	LocalUsername(actorURI string) (string, bool)
	IsLocal(uri string) bool
}

// Deps are what the Service needs.
type Deps struct {
	Tx     app.Transactor
	Store  Store
	Users  Users
	Actors Actors
	Outbox Outbox
	URLs   Addresses
}

// Service runs the follow use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service { return &Service{d: d} }

// maxRequests bounds how many follow requests FollowRequests lists.
const maxRequests = 500

// Follow makes the local user username follow the actor followeeURI (a
// local user or a remote actor) and sends the Follow. The follow is
// pending until the followee accepts, except that a follow already
// accepted stays accepted: a repeated Follow repairs the other side, it
// does not undo ours.
func (s *Service) Follow(ctx context.Context, username, followeeURI string) (*app.Activity, error) {
	follower := s.d.URLs.Actor(username)
	if followeeURI == "" {
		return nil, app.Errorf(app.EINVALID, "a follow needs the id of the actor to follow")
	}
	if followeeURI == follower {
		return nil, app.Errorf(app.EINVALID, "you cannot follow yourself")
	}
	followee, err := s.followee(ctx, followeeURI)
	if err != nil {
		return nil, err
	}
	var act *app.Activity
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		f := &app.Follow{FollowerURI: follower, FolloweeURI: followee, State: app.FollowPending}
		old, err := s.d.Store.FollowByPair(ctx, follower, followee)
		switch {
		case err == nil && old.State == app.FollowAccepted:
			f.State = app.FollowAccepted
		case err != nil && !errors.Is(err, app.ErrNotFound):
			return err
		}
		if act, err = s.d.Outbox.SendFollow(ctx, f); err != nil {
			return err
		}
		return s.d.Store.UpsertFollow(ctx, f)
	})
	if err != nil {
		return nil, fmt.Errorf("follow %s: %w", followee, err)
	}
	return act, nil
}

// followee checks the actor to follow and returns its id as stored.
func (s *Service) followee(ctx context.Context, uri string) (string, error) {
	if s.d.URLs.IsLocal(uri) {
		name, ok := s.d.URLs.LocalUsername(uri)
		if !ok {
			return "", app.Errorf(app.EINVALID, "%s is not an actor", uri)
		}
		if _, err := s.d.Users.UserByUsername(ctx, name); err != nil {
			return "", fmt.Errorf("local actor %s: %w", uri, err)
		}
		return uri, nil
	}
	a, err := s.d.Actors.Actor(ctx, uri, false)
	if err != nil {
		return "", fmt.Errorf("actor to follow %s: %w", uri, err)
	}
	if a.DeletedAt != nil {
		return "", app.Errorf(app.ENOTFOUND, "actor %s was deleted", uri)
	}
	return a.URI, nil
}

// Unfollow ends the local user's follow f (found by the Follow activity
// the user undoes) and sends the Undo.
func (s *Service) Unfollow(ctx context.Context, f *app.Follow) (*app.Activity, error) {
	var act *app.Activity
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if act, err = s.d.Outbox.SendUndoFollow(ctx, f); err != nil {
			return err
		}
		_, err = s.d.Store.DeleteFollow(ctx, f.FollowerURI, f.FolloweeURI)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unfollow %s: %w", f.FolloweeURI, err)
	}
	return act, nil
}

// FollowByActivity finds the follow recorded for a Follow activity id.
func (s *Service) FollowByActivity(ctx context.Context, activityURI string) (*app.Follow, error) {
	return s.d.Store.FollowByActivityURI(ctx, activityURI)
}
