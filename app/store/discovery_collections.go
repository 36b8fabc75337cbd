package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// FollowersPage lists the accepted followers of an actor, newest follow
// first, skipping offset: one page of the followers collection.
func (s *Store) FollowersPage(ctx context.Context, followeeURI string, offset, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("followee_uri = ? AND state = ?", followeeURI, app.FollowAccepted).
		Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "followers page of "+followeeURI)
}

// FollowingPage lists the accepted follows of an actor, newest first,
// skipping offset: one page of the following collection.
func (s *Store) FollowingPage(ctx context.Context, followerURI string, offset, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("follower_uri = ? AND state = ?", followerURI, app.FollowAccepted).
		Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "following page of "+followerURI)
}

// PublicOutboxPage lists a local actor's public activities, newest first,
// skipping offset: one page of the outbox collection.
func (s *Store) PublicOutboxPage(ctx context.Context, actorURI string, offset, limit int) ([]app.Activity, error) {
	var out []app.Activity
	err := s.conn(ctx).Where("actor_uri = ? AND local = ? AND public = ?", actorURI, true, true).
		Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "outbox page of "+actorURI)
}

// LatestLocalObjectActivity returns the newest local activity of one of
// types (e.g. Create, Update, Delete) whose object is objectURI: what
// answers a fetch of a local object. It is app.ENOTFOUND when there is none.
func (s *Store) LatestLocalObjectActivity(ctx context.Context, objectURI string, types []string) (*app.Activity, error) {
	var a app.Activity
	err := s.conn(ctx).Where("object_uri = ? AND local = ? AND type IN ?", objectURI, true, types).
		Order("id DESC").First(&a).Error
	return &a, translate(err, "local activity about "+objectURI)
}
