package store

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// FollowByID loads a follow by its row id.
func (s *Store) FollowByID(ctx context.Context, id int64) (*app.Follow, error) {
	var f app.Follow
	err := s.conn(ctx).First(&f, id).Error
	return &f, translate(err, fmt.Sprintf("follow %d", id))
}

// PendingFollowsOf lists the follow requests waiting for followeeURI's
// approval, oldest first.
func (s *Store) PendingFollowsOf(ctx context.Context, followeeURI string, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("followee_uri = ? AND state = ?", followeeURI, app.FollowPending).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "follow requests of "+followeeURI)
}
