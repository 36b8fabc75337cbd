// Package blogs holds the use cases of the blogs creators connect. A
// blog that speaks ActivityPub is followed by the creator's actor, and
// each post it sends becomes a thing of the creator once a verified claim
// proves the blog theirs. A blog with only a feed is polled, and each new
// item is published once as an Article of the creator (who must have
// claimed the blog), linking the original, so that fediverse users can
// follow and flattr it.
package blogs

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/app/things"
)

// Store persists blogs and the feed items published.
type Store interface {
	InsertBlog(ctx context.Context, b *app.Blog) error
	SaveBlogStatus(ctx context.Context, b *app.Blog) error
	BlogByID(ctx context.Context, id int64) (*app.Blog, error)
	BlogsOfUser(ctx context.Context, userID int64) ([]app.Blog, error)
	BlogsOfActor(ctx context.Context, actorURI string) ([]app.Blog, error)
	DueFeeds(ctx context.Context, now time.Time, limit int) ([]app.Blog, error)
	DeleteBlog(ctx context.Context, userID, id int64) error
	MarkBlogItem(ctx context.Context, blogID int64, guid, postURI string) (bool, error)
	SetBlogItemPost(ctx context.Context, blogID int64, guid, postURI string) error
}

// Users finds local users.
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	UserByID(ctx context.Context, id int64) (*app.User, error)
}

// Found is what a blog's address turned out to be.
type Found struct {
	Kind     string // app.BlogActivityPub or app.BlogFeed
	ActorURI string
	FeedURL  string
	Title    string
}

// Discoverer finds a blog's actor or feed from its address (implemented
// by federation/feeds): an actor, a page naming one, a feed, or a page
// naming a feed. Anything else is app.EINVALID with a message for the
// creator.
type Discoverer interface {
	Discover(ctx context.Context, rawURL string) (Found, error)
}

// Feeds fetches feeds (implemented by federation/feeds): conditionally,
// with the validators of the last fetch, within a size limit. A body that
// is not a feed, or is too large, is app.EINVALID with a message for the
// creator.
type Feeds interface {
	Fetch(ctx context.Context, feedURL, etag, lastModified string) (*app.Feed, error)
}

// Follows follows actors (app/follows).
type Follows interface {
	Follow(ctx context.Context, username, followeeURI string) (*app.Activity, error)
}

// Posts publishes posts (app/posts).
type Posts interface {
	Publish(ctx context.Context, username string, d posts.Draft) (*app.Post, *app.Activity, error)
}

// Owners tells who owns a thing by verified claims (app/claims).
type Owners interface {
	OwnerOf(ctx context.Context, originOwner, uri, pageURL string) (string, error)
}

// Things resolves things from their origin (app/things, with claims
// deciding owners).
type Things interface {
	Resolve(ctx context.Context, rawURL string) (*app.Thing, error)
}

// Queue schedules polls (implemented by jobs).
type Queue interface {
	EnqueueBlogPoll(ctx context.Context, blogID int64) error
}

// Addresses names local actors (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	IsLocal(uri string) bool
}

// Settings tune polling; zero fields take the defaults.
type Settings struct {
	// Interval is the time between polls of a healthy feed (default 30m).
	Interval time.Duration
	// MaxBackoff bounds the wait after failed fetches, which doubles
	// with each failure from Interval (default 24h).
	MaxBackoff time.Duration
	// Backfill is how many of the newest items the first poll publishes;
	// the older ones are only remembered (default 3; negative none).
	Backfill int
	// MaxItemsPerPoll bounds what one poll publishes; the rest waits for
	// the next poll (default 20).
	MaxItemsPerPoll int
	// DueBatch is how many due feeds one scheduling round queues
	// (default 100).
	DueBatch int
}

// Deps are what the Service needs.
type Deps struct {
	Tx         app.Transactor
	Store      Store
	Users      Users
	Discoverer Discoverer
	Feeds      Feeds
	Follows    Follows
	Posts      Posts
	Owners     Owners
	Things     Things
	Queue      Queue
	URLs       Addresses
	Settings   Settings
	Now        func() time.Time
}

// Service runs the blog use cases.
type Service struct{ d Deps }

// New returns a Service with d's defaults filled in.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	s := &d.Settings
	if s.Interval <= 0 {
		s.Interval = 30 * time.Minute
	}
	if s.MaxBackoff <= 0 {
		s.MaxBackoff = 24 * time.Hour
	}
	if s.Backfill == 0 {
		s.Backfill = 3
	}
	if s.MaxItemsPerPoll <= 0 {
		s.MaxItemsPerPoll = 20
	}
	if s.DueBatch <= 0 {
		s.DueBatch = 100
	}
	return &Service{d: d}
}

// Connect connects username's blog at rawURL: an ActivityPub blog is
// followed by their actor, a feed is polled at once and then every
// Interval.
func (s *Service) Connect(ctx context.Context, username, rawURL string) (*app.Blog, error) {
	u, err := things.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	if s.d.URLs.IsLocal(u) {
		return nil, app.Errorf(app.EINVALID, "%s is on this server: connect a blog published elsewhere", u)
	}
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("connect blog of %s: %w", username, err)
	}
	found, err := s.d.Discoverer.Discover(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("connect blog %s: %w", u, err)
	}
	b := &app.Blog{
		UserID: user.ID, OwnerURI: s.d.URLs.Actor(username), Kind: found.Kind, URL: u,
		ActorURI: found.ActorURI, FeedURL: found.FeedURL, Title: found.Title, NextPollAt: s.d.Now().UTC(),
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.InsertBlog(ctx, b); err != nil {
			return err
		}
		if b.Kind == app.BlogActivityPub {
			_, err := s.d.Follows.Follow(ctx, username, b.ActorURI)
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("connect blog %s: %w", u, err)
	}
	if b.Kind == app.BlogFeed {
		// A lost enqueue only waits for the next scheduling round.
		_ = s.d.Queue.EnqueueBlogPoll(ctx, b.ID)
	}
	return b, nil
}

// List returns username's blogs with their status.
func (s *Service) List(ctx context.Context, username string) ([]app.Blog, error) {
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.d.Store.BlogsOfUser(ctx, user.ID)
}

// Delete disconnects username's blog id; what was published stays.
func (s *Service) Delete(ctx context.Context, username string, id int64) error {
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	return s.d.Store.DeleteBlog(ctx, user.ID, id)
}

// ScheduleDue queues a poll of every feed that is due. Feeds are spread
// over time because each one's next poll is set from its own last one,
// with a jitter of its own.
func (s *Service) ScheduleDue(ctx context.Context) error {
	due, err := s.d.Store.DueFeeds(ctx, s.d.Now(), s.d.Settings.DueBatch)
	if err != nil {
		return fmt.Errorf("schedule feed polls: %w", err)
	}
	for _, b := range due {
		if err := s.d.Queue.EnqueueBlogPoll(ctx, b.ID); err != nil {
			return fmt.Errorf("schedule poll of blog %d: %w", b.ID, err)
		}
	}
	return nil
}

// Received is told of every Create an actor sent us (the inbox calls it
// once the object is stored): when the actor is a connected ActivityPub
// blog, the object is resolved from its origin as a thing, which a
// verified claim makes the creator's.
func (s *Service) Received(ctx context.Context, actorURI, objectURI string) error {
	list, err := s.d.Store.BlogsOfActor(ctx, actorURI)
	if err != nil || len(list) == 0 {
		return err
	}
	if _, err := s.d.Things.Resolve(ctx, objectURI); err != nil {
		return fmt.Errorf("thing of blog %s: %w", actorURI, err)
	}
	now := s.d.Now().UTC()
	for i := range list {
		b := &list[i]
		b.LastItemAt, b.Items, b.LastError = &now, b.Items+1, ""
		if err := s.d.Store.SaveBlogStatus(ctx, b); err != nil {
			return err
		}
	}
	return nil
}
