package store

import (
	"context"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// InsertLike records a Like once: it reports false, and stores nothing,
// when a like with the same activity URI exists, or when the actor already
// likes the object.
func (s *Likes) InsertLike(ctx context.Context, l *app.Like) (bool, error) {
	if l.CreatedAt.IsZero() {
		l.CreatedAt = time.Now().UTC()
	}
	// No conflict target: either unique index (activity_uri, or actor_uri
	// with object_uri) makes it a no-op.
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(l)
	if res.Error != nil {
		return false, translate(res.Error, "like "+l.ActivityURI)
	}
	return res.RowsAffected == 1, nil
}

// LikeByActivityURI loads a like by the id of its Like activity.
func (s *Likes) LikeByActivityURI(ctx context.Context, uri string) (*app.Like, error) {
	var l app.Like
	err := s.conn(ctx).Where("activity_uri = ?", uri).First(&l).Error
	return &l, translate(err, "like "+uri)
}

// DeleteLikeByActivity removes the like with activity id activityURI, if
// actorURI made it; it reports whether there was one.
func (s *Likes) DeleteLikeByActivity(ctx context.Context, actorURI, activityURI string) (bool, error) {
	res := s.conn(ctx).Where("actor_uri = ? AND activity_uri = ?", actorURI, activityURI).Delete(&app.Like{})
	return res.RowsAffected > 0, translate(res.Error, "delete like "+activityURI)
}

// DeleteLikeOf removes actorURI's likes of objectURI; it reports whether
// there were any.
func (s *Likes) DeleteLikeOf(ctx context.Context, actorURI, objectURI string) (bool, error) {
	res := s.conn(ctx).Where("actor_uri = ? AND object_uri = ?", actorURI, objectURI).Delete(&app.Like{})
	return res.RowsAffected > 0, translate(res.Error, "delete like of "+objectURI)
}

// CountLikes counts the likes of an object.
func (s *Likes) CountLikes(ctx context.Context, objectURI string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Like{}).Where("object_uri = ?", objectURI).Count(&n).Error
	return n, translate(err, "count likes of "+objectURI)
}

// LikeByPair loads actorURI's like of objectURI.
func (s *Likes) LikeByPair(ctx context.Context, actorURI, objectURI string) (*app.Like, error) {
	var l app.Like
	err := s.conn(ctx).Where("actor_uri = ? AND object_uri = ?", actorURI, objectURI).First(&l).Error
	return &l, translate(err, "like of "+objectURI)
}
