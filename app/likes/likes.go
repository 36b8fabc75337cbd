// Package likes holds the use cases of Likes: a local user likes
// something or takes it back, and a remote actor likes a local thing or
// takes it back. A flattr is a Like; the money issue builds on these.
package likes

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists likes.
type Store interface {
	InsertLike(ctx context.Context, l *app.Like) (bool, error)
	LikeByPair(ctx context.Context, actorURI, objectURI string) (*app.Like, error)
	DeleteLikeByActivity(ctx context.Context, actorURI, activityURI string) (bool, error)
	DeleteLikeOf(ctx context.Context, actorURI, objectURI string) (bool, error)
}

// Authors finds who wrote an object: a local post, or a remote object
// fetched from its server.
type Authors interface {
	AuthorOf(ctx context.Context, objectURI string) (string, error)
}

// Outbox tells other servers about likes (implemented by
// federation/outbox).
type Outbox interface {
	// SendLike publishes l's Like to author and sets l.ActivityURI.
	SendLike(ctx context.Context, l *app.Like, author string) (*app.Activity, error)
	// SendUndoLike publishes the Undo of the Like with id likeActivityURI.
	SendUndoLike(ctx context.Context, actorURI, likeActivityURI string) (*app.Activity, error)
}

// Addresses tells local ids apart (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	IsLocal(uri string) bool
}

// Deps are what the Service needs.
type Deps struct {
	Tx      app.Transactor
	Store   Store
	Authors Authors
	Outbox  Outbox
	URLs    Addresses
	Now     func() time.Time
}

// Service runs the like use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Like makes the local user username like objectURI and sends the Like to
// the object's author. content is an emoji reaction, or "". Liking one
// object twice is app.ECONFLICT, and then nothing is stored or sent.
func (s *Service) Like(ctx context.Context, username, objectURI, content string) (*app.Activity, error) {
	if objectURI == "" {
		return nil, app.Errorf(app.EINVALID, "a like needs the id of what you like")
	}
	author, err := s.d.Authors.AuthorOf(ctx, objectURI)
	if err != nil {
		return nil, err
	}
	l := &app.Like{ActorURI: s.d.URLs.Actor(username), ObjectURI: objectURI, Content: content, CreatedAt: s.d.Now().UTC()}
	var act *app.Activity
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.d.Store.LikeByPair(ctx, l.ActorURI, objectURI)
		switch {
		case err == nil:
			return app.Errorf(app.ECONFLICT, "%s already likes %s", l.ActorURI, objectURI)
		case !errors.Is(err, app.ErrNotFound):
			return err
		}
		if act, err = s.d.Outbox.SendLike(ctx, l, author); err != nil {
			return err
		}
		_, err = s.d.Store.InsertLike(ctx, l)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("like %s: %w", objectURI, err)
	}
	return act, nil
}

// Unlike takes back the local actor's Like with id likeActivityURI and
// sends the Undo.
func (s *Service) Unlike(ctx context.Context, actorURI, likeActivityURI string) (*app.Activity, error) {
	var act *app.Activity
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if act, err = s.d.Outbox.SendUndoLike(ctx, actorURI, likeActivityURI); err != nil {
			return err
		}
		_, err = s.d.Store.DeleteLikeByActivity(ctx, actorURI, likeActivityURI)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unlike %s: %w", likeActivityURI, err)
	}
	return act, nil
}

// Received is a Like that a remote actor sent.
type Received struct {
	ActivityURI string
	ActorURI    string
	ObjectURI   string
	Content     string // emoji reaction (Misskey, Pleroma), if any
}

// Receive records a remote actor's like of a local object. Likes of
// objects on other servers are not ours to count: it reports false. A
// repeated Like is kept once.
func (s *Service) Receive(ctx context.Context, r Received) (bool, error) {
	if r.ObjectURI == "" {
		return false, app.Errorf(app.EINVALID, "like %s has no object", r.ActivityURI)
	}
	if !s.d.URLs.IsLocal(r.ObjectURI) {
		return false, nil
	}
	_, err := s.d.Store.InsertLike(ctx, &app.Like{
		ActivityURI: r.ActivityURI, ActorURI: r.ActorURI, ObjectURI: r.ObjectURI, Content: r.Content,
		CreatedAt: s.d.Now().UTC(),
	})
	if err != nil {
		return false, fmt.Errorf("like %s: %w", r.ActivityURI, err)
	}
	return true, nil
}

// Unliked removes a remote actor's like: the one with activity id
// likeActivityURI, or else its like of objectURI.
func (s *Service) Unliked(ctx context.Context, actorURI, likeActivityURI, objectURI string) error {
	if likeActivityURI != "" {
		found, err := s.d.Store.DeleteLikeByActivity(ctx, actorURI, likeActivityURI)
		if err != nil || found {
			return err
		}
	}
	if objectURI == "" {
		return nil
	}
	_, err := s.d.Store.DeleteLikeOf(ctx, actorURI, objectURI)
	return err
}
