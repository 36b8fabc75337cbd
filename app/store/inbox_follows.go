package store

import (
	"context"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// FollowByID loads a follow by its row id.
func (s *Store) FollowByID(ctx context.Context, id int64) (*app.Follow, error) {
	var f app.Follow
	err := s.db.WithContext(ctx).First(&f, id).Error
	return &f, translate(err, fmt.Sprintf("follow %d", id))
}
