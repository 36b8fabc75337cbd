package store

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app"
)

// CountActiveUsers counts local users active since `since`: a browser
// session seen, an API token used, or an activity published (by the actor
// whose id is actorPrefix + username, e.g. "https://h/users/") in that
// time. NodeInfo reports it as activeMonth and activeHalfyear.
func (s *Store) CountActiveUsers(ctx context.Context, since time.Time, actorPrefix string) (int64, error) {
	since = since.UTC()
	var n int64
	err := s.conn(ctx).Raw(`
		SELECT COUNT(*) FROM users u WHERE
		EXISTS (SELECT 1 FROM sessions s WHERE s.user_id = u.id AND s.last_seen_at >= ?)
		OR EXISTS (SELECT 1 FROM api_tokens t WHERE t.user_id = u.id AND t.last_used_at >= ?)
		OR EXISTS (SELECT 1 FROM activities a
			WHERE a.actor_uri = CAST(? AS TEXT) || u.username AND a.local = ? AND a.created_at >= ?)`,
		since, since, actorPrefix, true, since).Scan(&n).Error
	return n, translate(err, "count active users")
}

// CountLocalPosts counts the Create activities local actors published,
// whatever their addressing: NodeInfo's localPosts.
func (s *Store) CountLocalPosts(ctx context.Context) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Activity{}).Where("local = ? AND type = ?", true, "Create").Count(&n).Error
	return n, translate(err, "count local posts")
}
