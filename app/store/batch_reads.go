package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// UndoneAmong tells which of activityURIs were undone, and by whom.
func (s *Flattrs) UndoneAmong(ctx context.Context, activityURIs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(activityURIs) == 0 {
		return out, nil
	}
	var rows []undoneRow
	if err := s.conn(ctx).Where("activity_uri IN ?", activityURIs).Find(&rows).Error; err != nil {
		return nil, translate(err, "undone activities")
	}
	for _, r := range rows {
		out[r.ActivityURI] = r.ActorURI
	}
	return out, nil
}

// ThingsByURIs loads the stored things among uris, by URI.
func (s *Things) ThingsByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	out := map[string]*app.Thing{}
	if len(uris) == 0 {
		return out, nil
	}
	var rows []thingRow
	if err := s.conn(ctx).Where("uri IN ?", uris).Find(&rows).Error; err != nil {
		return nil, translate(err, "things")
	}
	for i := range rows {
		out[rows[i].URI] = rows[i].thing()
	}
	return out, nil
}

// InsertLikes records many Likes in one statement, each as InsertLike
// would (a like whose activity id is stored, or whose actor likes the
// object already, is not); it reports which were stored.
func (s *Likes) InsertLikes(ctx context.Context, likes []*app.Like) ([]bool, error) {
	inserted := make([]bool, len(likes))
	if len(likes) == 0 {
		return inserted, nil
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO likes (activity_uri, actor_uri, object_uri, content, created_at) VALUES ")
	args := make([]any, 0, 5*len(likes))
	first := make(map[string]int, len(likes))
	for i, l := range likes {
		if _, dup := first[l.ActivityURI]; dup {
			continue
		}
		first[l.ActivityURI] = i
		if l.CreatedAt.IsZero() {
			l.CreatedAt = time.Now().UTC()
		}
		if len(args) > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, ?, ?, ?, ?)")
		args = append(args, l.ActivityURI, l.ActorURI, l.ObjectURI, l.Content, l.CreatedAt.UTC())
	}
	// No conflict target: either unique index makes a row a no-op.
	sb.WriteString(" ON CONFLICT DO NOTHING RETURNING id, activity_uri")
	var stored []struct {
		ID          int64
		ActivityURI string
	}
	if err := s.conn(ctx).Raw(sb.String(), args...).Find(&stored).Error; err != nil {
		return nil, translate(err, fmt.Sprintf("insert %d likes", len(likes)))
	}
	for _, r := range stored {
		i := first[r.ActivityURI]
		likes[i].ID = r.ID
		inserted[i] = true
	}
	return inserted, nil
}
