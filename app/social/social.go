// Package social holds the use cases of what a local user reads in a
// Mastodon app: the home timeline (their own posts and those of the
// local users, remote creators and blogs they follow) and their
// notifications (flattrs of their things, follows of them). It also
// keeps the timeline fed: the post a followed remote actor announces
// with a Create becomes a thing, so that it can be shown and flattred.
package social

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/posts"
)

// Store reads timelines and notifications (implemented by app/store).
type Store interface {
	// HomeTimeline lists the things owned by actorURI or by the actors
	// it follows (accepted follows), not deleted, that actorURI may see,
	// newest first (oldest first when p.MinID is set).
	HomeTimeline(ctx context.Context, actorURI string, p app.Page) ([]app.TimelineEntry, error)
	// Notifications lists recipientURI's notifications of types (all
	// when empty), newest first (oldest first when p.MinID is set).
	Notifications(ctx context.Context, recipientURI string, types []string, p app.Page) ([]app.Notification, error)
	// HasLocalFollower tells whether a local actor follows actorURI.
	HasLocalFollower(ctx context.Context, actorURI string) (bool, error)
	// AccountStatuses lists the things ownerURI owns that viewerURI may
	// see, ordered as HomeTimeline.
	AccountStatuses(ctx context.Context, ownerURI, viewerURI string, p app.Page) ([]app.TimelineEntry, error)
	StatusByKey(ctx context.Context, username, key string) (string, error)
	SaveStatusKey(ctx context.Context, username, key, postURI string) error
	RemoteActorByID(ctx context.Context, id int64) (*app.RemoteActor, error)
	RemoteActorByName(ctx context.Context, username, host string) (*app.RemoteActor, error)
	DefaultWeight(ctx context.Context, username string) (int, error)
	SetDefaultWeight(ctx context.Context, username string, weight int) error
}

// Things resolves the objects of followed actors as things
// (implemented by app/things.Service).
type Things interface {
	Resolve(ctx context.Context, rawURL string) (*app.Thing, error)
	ByID(ctx context.Context, id int64) (*app.Thing, error)
	ByURI(ctx context.Context, uri string) (*app.Thing, error)
	ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error)
}

// Addresses names local actors (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	Followers(username string) string
	LocalUsername(actorURI string) (string, bool)
	Host() string
}

// Users loads local users (implemented by app/store).
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	UserByID(ctx context.Context, id int64) (*app.User, error)
}

// Actors loads remote actors as last fetched (implemented by app/store).
type Actors interface {
	RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error)
}

// Posts publishes local posts (implemented by app/posts.Service).
type Posts interface {
	Publish(ctx context.Context, username string, d posts.Draft) (*app.Post, *app.Activity, error)
	ByURI(ctx context.Context, uri string) (*app.Post, error)
}

// Follows sends follows and their undoing (implemented by
// app/follows.Service).
type Follows interface {
	Follow(ctx context.Context, username, followeeURI string) (*app.Activity, error)
	Unfollow(ctx context.Context, f *app.Follow) (*app.Activity, error)
}

// FollowStore reads follows (implemented by app/store).
type FollowStore interface {
	FollowByPair(ctx context.Context, followerURI, followeeURI string) (*app.Follow, error)
	CountFollowers(ctx context.Context, followeeURI string) (int64, error)
	CountFollowing(ctx context.Context, followerURI string) (int64, error)
}

// Handles finds the actor of a handle ("user@host") on another server:
// WebFinger, then the actor fetched and stored (implemented in
// cmd/plaudit/instance on federation/resolve and the fetcher).
type Handles interface {
	ResolveHandle(ctx context.Context, handle string) (*app.RemoteActor, error)
}

// Deps are what the Service needs.
type Deps struct {
	Tx          app.Transactor
	Store       Store
	Things      Things
	Users       Users
	Actors      Actors
	Posts       Posts
	Follows     Follows
	FollowStore FollowStore
	Handles     Handles
	URLs        Addresses
}

// Service runs the timeline and notification use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service { return &Service{d: d} }

// DefaultLimit and MaxLimit bound a page as Mastodon does (20 and 40).
const (
	DefaultLimit = 20
	MaxLimit     = 40
)

// clamp gives p a limit from 1 to max, DefaultLimit when it has none.
func clamp(p app.Page, max int) app.Page {
	switch {
	case p.Limit <= 0:
		p.Limit = DefaultLimit
	case p.Limit > max:
		p.Limit = max
	}
	return p
}

// Home is username's home timeline, newest first.
func (s *Service) Home(ctx context.Context, username string, p app.Page) ([]app.TimelineEntry, error) {
	list, err := s.d.Store.HomeTimeline(ctx, s.d.URLs.Actor(username), clamp(p, MaxLimit))
	if err != nil {
		return nil, fmt.Errorf("home timeline of %s: %w", username, err)
	}
	if p.MinID != 0 {
		reverse(list)
	}
	return list, nil
}

// NotificationTypes are the kinds of notifications Plaudit keeps.
var NotificationTypes = []string{app.NotifyFavourite, app.NotifyFollow, app.NotifyFollowRequest}

// Notifications are username's notifications of types (all when empty),
// newest first, with the things the favourites are of.
func (s *Service) Notifications(ctx context.Context, username string, types []string, p app.Page) ([]app.Notification, map[string]*app.Thing, error) {
	list, err := s.d.Store.Notifications(ctx, s.d.URLs.Actor(username), types, clamp(p, 80))
	if err != nil {
		return nil, nil, fmt.Errorf("notifications of %s: %w", username, err)
	}
	if p.MinID != 0 {
		reverse(list)
	}
	var uris []string
	for _, n := range list {
		if n.ThingURI != "" {
			uris = append(uris, n.ThingURI)
		}
	}
	things := map[string]*app.Thing{}
	if len(uris) > 0 {
		if things, err = s.d.Things.ByURIs(ctx, uris); err != nil {
			return nil, nil, fmt.Errorf("notifications of %s: %w", username, err)
		}
	}
	return list, things, nil
}

// Received is told of every Create an actor sent us (the inbox calls it
// once the object is stored): when a local actor follows the sender, the
// object is resolved from its origin as a thing, which puts it on their
// home timelines.
func (s *Service) Received(ctx context.Context, actorURI, objectURI string) error {
	followed, err := s.d.Store.HasLocalFollower(ctx, actorURI)
	if err != nil || !followed {
		return err
	}
	if _, err := s.d.Things.Resolve(ctx, objectURI); err != nil {
		return fmt.Errorf("thing of followed %s: %w", actorURI, err)
	}
	return nil
}

func reverse[T any](list []T) {
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
}

// Cards are what Plaudit knows of each of the actors uris, by id.
func (s *Service) Cards(ctx context.Context, uris []string) (map[string]app.ActorCard, error) {
	out := make(map[string]app.ActorCard, len(uris))
	for _, uri := range uris {
		if _, done := out[uri]; done || uri == "" {
			continue
		}
		card := app.ActorCard{URI: uri}
		var err error
		if name, ok := s.d.URLs.LocalUsername(uri); ok {
			card.User, err = s.d.Users.UserByUsername(ctx, name)
		} else {
			card.Remote, err = s.d.Actors.RemoteActorByURI(ctx, uri)
		}
		if err != nil && !errors.Is(err, app.ErrNotFound) {
			return nil, fmt.Errorf("actor %s: %w", uri, err)
		}
		if err != nil {
			card.User, card.Remote = nil, nil
		}
		out[uri] = card
	}
	return out, nil
}
