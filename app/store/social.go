package store

import (
	"context"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// Social reads home timelines and notifications.
type Social struct{ *Database }

// Social is the store of timelines and notifications.
func (s *Store) Social() *Social { return &Social{s.Database} }

// timelineRow is a thing with what its post or remote object adds.
type timelineRow struct {
	Thing         thingRow `gorm:"embedded"`
	PostContent   *string
	PostSummary   *string
	PostSensitive *bool
	PostReplyTo   *string
	PostAt        *time.Time
	RemoteContent *string
	RemoteSummary *string
	RemoteReplyTo *string
	RemoteAt      *time.Time
}

func (r *timelineRow) entry() app.TimelineEntry {
	e := app.TimelineEntry{Thing: *r.Thing.thing(), PublishedAt: r.Thing.CreatedAt}
	switch {
	case r.PostContent != nil:
		e.Content, e.Summary, e.Sensitive, e.InReplyTo = *r.PostContent, deref(r.PostSummary), r.PostSensitive != nil && *r.PostSensitive, deref(r.PostReplyTo)
		if r.PostAt != nil {
			e.PublishedAt = *r.PostAt
		}
	case r.RemoteContent != nil:
		e.Content, e.Summary, e.InReplyTo = *r.RemoteContent, deref(r.RemoteSummary), deref(r.RemoteReplyTo)
		if r.RemoteAt != nil {
			e.PublishedAt = *r.RemoteAt
		}
	}
	return e
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// page bounds q by p on column id, newest first, or oldest first after
// p.MinID.
func page(q *gorm.DB, column string, p app.Page) *gorm.DB {
	if p.MaxID > 0 {
		q = q.Where(column+" < ?", p.MaxID)
	}
	if p.SinceID > 0 {
		q = q.Where(column+" > ?", p.SinceID)
	}
	if p.MinID > 0 {
		return q.Where(column+" > ?", p.MinID).Order(column + " ASC").Limit(p.Limit)
	}
	return q.Order(column + " DESC").Limit(p.Limit)
}

// HomeTimeline lists the live things of actorURI and of the actors it
// follows that it may see: a local post only when it is public, its own,
// addressed to it or to its author's followers.
func (s *Social) HomeTimeline(ctx context.Context, actorURI string, p app.Page) ([]app.TimelineEntry, error) {
	q := s.conn(ctx).Table("things").
		Select(`things.*, posts.content AS post_content, posts.summary AS post_summary, posts.sensitive AS post_sensitive,
			posts.in_reply_to AS post_reply_to, posts.published_at AS post_at, remote_objects.content AS remote_content,
			remote_objects.summary AS remote_summary, remote_objects.in_reply_to AS remote_reply_to, remote_objects.published_at AS remote_at`).
		Joins("LEFT JOIN posts ON posts.uri = things.uri").
		Joins("LEFT JOIN remote_objects ON remote_objects.uri = things.uri").
		Where("things.deleted_at IS NULL").
		Where("things.owner_uri = ? OR things.owner_uri IN (SELECT followee_uri FROM follows WHERE follower_uri = ? AND state = ?)", actorURI, actorURI, app.FollowAccepted).
		Where(`posts.id IS NULL OR posts.public OR posts.author_uri = ?
			OR (' ' || posts.audience_to || ' ' || posts.audience_cc || ' ') LIKE ? ESCAPE '\'
			OR (' ' || posts.audience_to || ' ' || posts.audience_cc || ' ') LIKE ('% ' || posts.author_uri || '/followers %')`,
			actorURI, "% "+escapeLike(actorURI)+" %")
	return s.entries(ctx, page(q, "things.id", p))
}

// Notifications lists recipientURI's notifications of types (all when
// types is empty).
func (s *Social) Notifications(ctx context.Context, recipientURI string, types []string, p app.Page) ([]app.Notification, error) {
	q := s.conn(ctx).Model(&app.Notification{}).Where("recipient_uri = ?", recipientURI)
	if len(types) > 0 {
		q = q.Where("type IN ?", types)
	}
	var out []app.Notification
	if err := page(q, "id", p).Find(&out).Error; err != nil {
		return nil, translate(err, "notifications")
	}
	return out, nil
}

// HasLocalFollower tells whether actorURI, a remote actor, has an
// accepted follower (who can only be local).
func (s *Social) HasLocalFollower(ctx context.Context, actorURI string) (bool, error) {
	var n int64
	err := s.conn(ctx).Table("follows").Where("followee_uri = ? AND state = ?", actorURI, app.FollowAccepted).Limit(1).Count(&n).Error
	return n > 0, translate(err, "followers of "+actorURI)
}

// statusKeyRow is an Idempotency-Key of a posted status.
type statusKeyRow struct {
	Username  string
	Key       string
	PostURI   string
	CreatedAt time.Time
}

func (statusKeyRow) TableName() string { return "status_keys" }

// StatusByKey is the post username made with Idempotency-Key key.
func (s *Social) StatusByKey(ctx context.Context, username, key string) (string, error) {
	var r statusKeyRow
	err := s.conn(ctx).Where("username = ? AND key = ?", username, key).First(&r).Error
	return r.PostURI, translate(err, "status key")
}

// SaveStatusKey records the post username made with key; a key used
// already is app.ECONFLICT.
func (s *Social) SaveStatusKey(ctx context.Context, username, key, postURI string) error {
	r := statusKeyRow{Username: username, Key: key, PostURI: postURI, CreatedAt: time.Now().UTC()}
	return translate(s.conn(ctx).Create(&r).Error, "status key")
}

// RemoteActorByID loads a remote actor by its row id.
func (s *Social) RemoteActorByID(ctx context.Context, id int64) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("id = ?", id).First(&a).Error
	return &a, translate(err, "remote actor")
}

// RemoteActorByName loads the remote actor username@host, as last
// fetched.
func (s *Social) RemoteActorByName(ctx context.Context, username, host string) (*app.RemoteActor, error) {
	var a app.RemoteActor
	err := s.conn(ctx).Where("LOWER(preferred_username) = LOWER(?) AND host = ? AND deleted_at IS NULL", username, host).
		Order("id").First(&a).Error
	return &a, translate(err, "remote actor "+username+"@"+host)
}

// AccountStatuses lists the live things ownerURI owns that viewerURI
// may see (local posts: public ones, or all of them for their author).
func (s *Social) AccountStatuses(ctx context.Context, ownerURI, viewerURI string, p app.Page) ([]app.TimelineEntry, error) {
	q := s.conn(ctx).Table("things").
		Select(`things.*, posts.content AS post_content, posts.summary AS post_summary, posts.sensitive AS post_sensitive,
			posts.in_reply_to AS post_reply_to, posts.published_at AS post_at, remote_objects.content AS remote_content,
			remote_objects.summary AS remote_summary, remote_objects.in_reply_to AS remote_reply_to, remote_objects.published_at AS remote_at`).
		Joins("LEFT JOIN posts ON posts.uri = things.uri").
		Joins("LEFT JOIN remote_objects ON remote_objects.uri = things.uri").
		Where("things.deleted_at IS NULL AND things.owner_uri = ?", ownerURI).
		Where("posts.id IS NULL OR posts.public OR posts.author_uri = ?", viewerURI)
	return s.entries(ctx, page(q, "things.id", p))
}

// preferencesRow is a user's Mastodon API preferences.
type preferencesRow struct {
	Username      string
	DefaultWeight int
	UpdatedAt     time.Time
}

func (preferencesRow) TableName() string { return "mastodon_preferences" }

// DefaultWeight is the weight username's favourites flattr with; 0 when
// they never set one.
func (s *Social) DefaultWeight(ctx context.Context, username string) (int, error) {
	var rows []preferencesRow
	err := s.conn(ctx).Where("username = ?", username).Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return 0, translate(err, "preferences of "+username)
	}
	return rows[0].DefaultWeight, nil
}

// SetDefaultWeight keeps the weight username's favourites flattr with.
func (s *Social) SetDefaultWeight(ctx context.Context, username string, weight int) error {
	r := preferencesRow{Username: username, DefaultWeight: weight, UpdatedAt: time.Now().UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "username"}},
		DoUpdates: clause.AssignmentColumns([]string{"default_weight", "updated_at"}),
	}).Create(&r).Error
	return translate(err, "preferences of "+username)
}

// entries runs q, a query of thing ids with their posts' and remote
// objects' columns, and loads the things.
func (s *Social) entries(ctx context.Context, q *gorm.DB) ([]app.TimelineEntry, error) {
	var rows []timelineRow
	if err := q.Scan(&rows).Error; err != nil {
		return nil, translate(err, "home timeline")
	}
	if len(rows) == 0 {
		return nil, nil
	}
	out := make([]app.TimelineEntry, len(rows))
	for i := range rows {
		out[i] = rows[i].entry()
	}
	return out, nil
}
