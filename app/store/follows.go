package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// UpsertFollow records a follow request; a repeated Follow of the same pair
// takes the newer activity id and state.
func (s *Follows) UpsertFollow(ctx context.Context, f *app.Follow) error {
	now := time.Now().UTC()
	if f.CreatedAt.IsZero() {
		f.CreatedAt = now
	}
	f.UpdatedAt = now
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "follower_uri"}, {Name: "followee_uri"}},
		DoUpdates: clause.AssignmentColumns([]string{"activity_uri", "state", "updated_at"}),
	}).Create(f).Error
	if err != nil {
		return translate(err, "follow "+f.FollowerURI+" → "+f.FolloweeURI)
	}
	return translate(s.conn(ctx).Where("follower_uri = ? AND followee_uri = ?", f.FollowerURI, f.FolloweeURI).First(f).Error, "follow")
}

// FollowByActivityURI loads a follow by the id of its Follow activity.
func (s *Follows) FollowByActivityURI(ctx context.Context, uri string) (*app.Follow, error) {
	var f app.Follow
	err := s.conn(ctx).Where("activity_uri = ?", uri).First(&f).Error
	return &f, translate(err, "follow "+uri)
}

// FollowByPair loads the follow of followee by follower.
func (s *Follows) FollowByPair(ctx context.Context, followerURI, followeeURI string) (*app.Follow, error) {
	var f app.Follow
	err := s.conn(ctx).Where("follower_uri = ? AND followee_uri = ?", followerURI, followeeURI).First(&f).Error
	return &f, translate(err, "follow "+followerURI+" → "+followeeURI)
}

// SetFollowState accepts or rejects a follow.
func (s *Follows) SetFollowState(ctx context.Context, id int64, state string) error {
	err := s.conn(ctx).Model(&app.Follow{}).Where("id = ?", id).
		Updates(map[string]any{"state": state, "updated_at": time.Now().UTC()}).Error
	return translate(err, "follow state")
}

// DeleteFollow removes the follow of followee by follower; it reports
// whether there was one.
func (s *Follows) DeleteFollow(ctx context.Context, followerURI, followeeURI string) (bool, error) {
	res := s.conn(ctx).Where("follower_uri = ? AND followee_uri = ?", followerURI, followeeURI).Delete(&app.Follow{})
	return res.RowsAffected > 0, translate(res.Error, "delete follow")
}

// CountFollowers counts the accepted followers of an actor that are shown
// in public: those on silenced servers are left out.
func (s *Follows) CountFollowers(ctx context.Context, followeeURI string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Follow{}).Where("followee_uri = ? AND state = ?", followeeURI, app.FollowAccepted).
		Where(notSilenced, app.BlockSilence).Count(&n).Error
	return n, translate(err, "count followers")
}

// CountFollowing counts the accepted follows of an actor.
func (s *Follows) CountFollowing(ctx context.Context, followerURI string) (int64, error) {
	var n int64
	err := s.conn(ctx).Model(&app.Follow{}).Where("follower_uri = ? AND state = ?", followerURI, app.FollowAccepted).Count(&n).Error
	return n, translate(err, "count following")
}

// FollowerInboxes lists the distinct delivery inboxes (shared inbox when
// offered) of an actor's accepted remote followers.
func (s *Follows) FollowerInboxes(ctx context.Context, followeeURI string) ([]string, error) {
	var inboxes []string
	err := s.conn(ctx).Raw(`
		SELECT DISTINCT CASE WHEN ra.shared_inbox <> '' THEN ra.shared_inbox ELSE ra.inbox END
		FROM follows f JOIN remote_actors ra ON ra.uri = f.follower_uri
		WHERE f.followee_uri = ? AND f.state = ? AND ra.deleted_at IS NULL`, followeeURI, app.FollowAccepted).
		Scan(&inboxes).Error
	return inboxes, translate(err, "follower inboxes of "+followeeURI)
}

// FollowersPage lists the accepted followers of an actor, newest follow
// first, skipping offset: one page of the followers collection. Followers
// on silenced servers are left out, as from CountFollowers.
func (s *Follows) FollowersPage(ctx context.Context, followeeURI string, offset, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("followee_uri = ? AND state = ?", followeeURI, app.FollowAccepted).
		Where(notSilenced, app.BlockSilence).Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "followers page of "+followeeURI)
}

// FollowingPage lists the accepted follows of an actor, newest first,
// skipping offset: one page of the following collection.
func (s *Follows) FollowingPage(ctx context.Context, followerURI string, offset, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("follower_uri = ? AND state = ?", followerURI, app.FollowAccepted).
		Order("id DESC").Offset(offset).Limit(limit).Find(&out).Error
	return out, translate(err, "following page of "+followerURI)
}

// FollowByID loads a follow by its row id.
func (s *Follows) FollowByID(ctx context.Context, id int64) (*app.Follow, error) {
	var f app.Follow
	err := s.conn(ctx).First(&f, id).Error
	return &f, translate(err, fmt.Sprintf("follow %d", id))
}

// PendingFollowsOf lists the follow requests waiting for followeeURI's
// approval, oldest first.
func (s *Follows) PendingFollowsOf(ctx context.Context, followeeURI string, limit int) ([]app.Follow, error) {
	var out []app.Follow
	err := s.conn(ctx).Where("followee_uri = ? AND state = ?", followeeURI, app.FollowPending).
		Order("id").Limit(limit).Find(&out).Error
	return out, translate(err, "follow requests of "+followeeURI)
}

// notSilenced keeps out follows whose follower is on a silenced server
// (the domain itself or a subdomain, with or without a port): silenced
// servers are heard and delivered to, but not shown or counted in public.
// Its one parameter is app.BlockSilence.
const notSilenced = `NOT EXISTS (SELECT 1 FROM remote_actors ra JOIN domain_blocks db ON db.severity = ? AND (
	LOWER(ra.host) = db.domain OR LOWER(ra.host) LIKE '%.' || db.domain OR
	LOWER(ra.host) LIKE db.domain || ':%' OR LOWER(ra.host) LIKE '%.' || db.domain || ':%')
	WHERE ra.uri = follows.follower_uri)`
