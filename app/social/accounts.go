package social

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// RemoteAccountBase is added to a remote actor's row id to make its
// account id in the Mastodon API, apart from local users' ids.
const RemoteAccountBase = 1_000_000_000_000_000

// AccountID is the Mastodon account id of what card shows, 0 when
// Plaudit keeps no row for it.
func AccountID(card app.ActorCard) int64 {
	switch {
	case card.User != nil:
		return card.User.ID
	case card.Remote != nil:
		return RemoteAccountBase + card.Remote.ID
	}
	return 0
}

// Account is the actor with Mastodon account id id, with a local
// user's counts.
func (s *Service) Account(ctx context.Context, id int64) (app.ActorCard, error) {
	if id <= 0 {
		return app.ActorCard{}, app.Errorf(app.ENOTFOUND, "Record not found")
	}
	if id > RemoteAccountBase {
		a, err := s.d.Store.RemoteActorByID(ctx, id-RemoteAccountBase)
		if err != nil || a.DeletedAt != nil {
			return app.ActorCard{}, notFound(err)
		}
		return app.ActorCard{URI: a.URI, Remote: a}, nil
	}
	u, err := s.d.Users.UserByID(ctx, id)
	if err != nil {
		return app.ActorCard{}, notFound(err)
	}
	return s.counted(ctx, app.ActorCard{URI: s.d.URLs.Actor(u.Username), User: u})
}

// notFound is Mastodon's answer for what is not there, or err.
func notFound(err error) error {
	if err == nil || errors.Is(err, app.ErrNotFound) {
		return app.Errorf(app.ENOTFOUND, "Record not found")
	}
	return err
}

// counted adds a local user's counts to card.
func (s *Service) counted(ctx context.Context, card app.ActorCard) (app.ActorCard, error) {
	if card.User == nil {
		return card, nil
	}
	var err error
	if card.Followers, err = s.d.FollowStore.CountFollowers(ctx, card.URI); err != nil {
		return card, err
	}
	card.Following, err = s.d.FollowStore.CountFollowing(ctx, card.URI)
	return card, err
}

// Lookup is the account acct names: "user" or "user@this-host" for a
// local user, "user@host" for a remote actor Plaudit has fetched. With
// resolve, a remote actor not known yet is found through WebFinger.
func (s *Service) Lookup(ctx context.Context, acct string, resolve bool) (app.ActorCard, error) {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	user, host, remote := strings.Cut(acct, "@")
	if user == "" || strings.ContainsAny(acct, " /?#") {
		return app.ActorCard{}, app.Errorf(app.ENOTFOUND, "Record not found")
	}
	if !remote || strings.EqualFold(host, s.d.URLs.Host()) {
		name, err := app.NormalizeUsername(user)
		if err != nil {
			return app.ActorCard{}, app.Errorf(app.ENOTFOUND, "Record not found")
		}
		u, err := s.d.Users.UserByUsername(ctx, name)
		if err != nil {
			return app.ActorCard{}, notFound(err)
		}
		return s.counted(ctx, app.ActorCard{URI: s.d.URLs.Actor(u.Username), User: u})
	}
	a, err := s.d.Store.RemoteActorByName(ctx, user, strings.ToLower(host))
	if err == nil {
		return app.ActorCard{URI: a.URI, Remote: a}, nil
	}
	if !errors.Is(err, app.ErrNotFound) || !resolve || s.d.Handles == nil {
		return app.ActorCard{}, notFound(err)
	}
	if a, err = s.d.Handles.ResolveHandle(ctx, user+"@"+host); err != nil {
		return app.ActorCard{}, fmt.Errorf("resolve %s: %w", acct, err)
	}
	return app.ActorCard{URI: a.URI, Remote: a}, nil
}

// AccountStatuses are the statuses of the account card shows, as
// username may see them, newest first.
func (s *Service) AccountStatuses(ctx context.Context, username string, card app.ActorCard, p app.Page) ([]app.TimelineEntry, error) {
	list, err := s.d.Store.AccountStatuses(ctx, card.URI, s.d.URLs.Actor(username), clamp(p, MaxLimit))
	if err != nil {
		return nil, fmt.Errorf("statuses of %s: %w", card.URI, err)
	}
	if p.MinID != 0 {
		reverse(list)
	}
	return list, nil
}

// Relationship is how username and the actor uri follow each other.
func (s *Service) Relationship(ctx context.Context, username, uri string) (app.Relationship, error) {
	me := s.d.URLs.Actor(username)
	var r app.Relationship
	mine, err := s.d.FollowStore.FollowByPair(ctx, me, uri)
	switch {
	case err == nil:
		r.Following, r.Requested = mine.State == app.FollowAccepted, mine.State == app.FollowPending
	case !errors.Is(err, app.ErrNotFound):
		return r, err
	}
	theirs, err := s.d.FollowStore.FollowByPair(ctx, uri, me)
	switch {
	case err == nil:
		r.FollowedBy, r.RequestedBy = theirs.State == app.FollowAccepted, theirs.State == app.FollowPending
	case !errors.Is(err, app.ErrNotFound):
		return r, err
	}
	return r, nil
}

// Follow makes username follow the actor uri (a Follow is sent) and
// returns their relationship.
func (s *Service) Follow(ctx context.Context, username, uri string) (app.Relationship, error) {
	if _, err := s.d.Follows.Follow(ctx, username, uri); err != nil {
		return app.Relationship{}, err
	}
	return s.Relationship(ctx, username, uri)
}

// Unfollow ends username's follow of the actor uri, if any (an Undo is
// sent), and returns their relationship.
func (s *Service) Unfollow(ctx context.Context, username, uri string) (app.Relationship, error) {
	f, err := s.d.FollowStore.FollowByPair(ctx, s.d.URLs.Actor(username), uri)
	switch {
	case err == nil:
		if _, err := s.d.Follows.Unfollow(ctx, f); err != nil {
			return app.Relationship{}, err
		}
	case !errors.Is(err, app.ErrNotFound):
		return app.Relationship{}, err
	}
	return s.Relationship(ctx, username, uri)
}

// DefaultWeight is the weight username's favourites flattr with.
func (s *Service) DefaultWeight(ctx context.Context, username string) (int, error) {
	w, err := s.d.Store.DefaultWeight(ctx, username)
	if err != nil || w == 0 {
		return app.DefaultWeight, err
	}
	return w, nil
}

// SetDefaultWeight sets the weight username's favourites flattr with.
func (s *Service) SetDefaultWeight(ctx context.Context, username string, weight int) error {
	if err := app.CheckWeight(weight); err != nil {
		return err
	}
	return s.d.Store.SetDefaultWeight(ctx, username, weight)
}
