package store

import (
	"context"
	"encoding/json"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// blogRow is a connected blog as stored: payment links as JSON.
type blogRow struct {
	ID           int64
	UserID       int64
	OwnerURI     string
	Kind         string
	URL          string
	ActorURI     string
	FeedURL      string
	Title        string
	ETag         string
	LastModified string
	LastFetchAt  *time.Time
	LastError    string
	LastItemAt   *time.Time
	Items        int64
	Failures     int
	NextPollAt   time.Time
	PaymentLinks string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (blogRow) TableName() string { return "blogs" }

func (r *blogRow) blog() *app.Blog {
	b := &app.Blog{
		ID: r.ID, UserID: r.UserID, OwnerURI: r.OwnerURI, Kind: r.Kind, URL: r.URL, ActorURI: r.ActorURI,
		FeedURL: r.FeedURL, Title: r.Title, ETag: r.ETag, LastModified: r.LastModified, LastFetchAt: r.LastFetchAt,
		LastError: r.LastError, LastItemAt: r.LastItemAt, Items: r.Items, Failures: r.Failures,
		NextPollAt: r.NextPollAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.PaymentLinks != "" {
		// Written by this file only; a row that does not parse shows no
		// links rather than failing the read.
		_ = json.Unmarshal([]byte(r.PaymentLinks), &b.PaymentLinks)
	}
	return b
}

func blogRowOf(b *app.Blog) (blogRow, error) {
	links := ""
	if len(b.PaymentLinks) > 0 {
		data, err := json.Marshal(b.PaymentLinks)
		if err != nil {
			return blogRow{}, err
		}
		links = string(data)
	}
	return blogRow{
		ID: b.ID, UserID: b.UserID, OwnerURI: b.OwnerURI, Kind: b.Kind, URL: b.URL, ActorURI: b.ActorURI,
		FeedURL: b.FeedURL, Title: b.Title, ETag: b.ETag, LastModified: b.LastModified, LastFetchAt: b.LastFetchAt,
		LastError: b.LastError, LastItemAt: b.LastItemAt, Items: b.Items, Failures: b.Failures,
		NextPollAt: b.NextPollAt.UTC(), PaymentLinks: links, CreatedAt: b.CreatedAt.UTC(), UpdatedAt: b.UpdatedAt.UTC(),
	}, nil
}

// InsertBlog stores a newly connected blog and sets its ID; the same URL
// connected twice by one user is app.ECONFLICT.
func (s *Blogs) InsertBlog(ctx context.Context, b *app.Blog) error {
	now := time.Now().UTC()
	b.CreatedAt, b.UpdatedAt = now, now
	r, err := blogRowOf(b)
	if err != nil {
		return err
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return translate(err, "blog "+b.URL)
	}
	b.ID = r.ID
	return nil
}

// SaveBlogStatus writes a blog's fetch status, validators, title, payment
// links and next poll.
func (s *Blogs) SaveBlogStatus(ctx context.Context, b *app.Blog) error {
	b.UpdatedAt = time.Now().UTC()
	r, err := blogRowOf(b)
	if err != nil {
		return err
	}
	res := s.conn(ctx).Model(&blogRow{}).Where("id = ?", b.ID).Select(
		"title", "e_tag", "last_modified", "last_fetch_at", "last_error", "last_item_at", "items", "failures",
		"next_poll_at", "payment_links", "updated_at",
	).Updates(&r)
	if res.Error == nil && res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no blog %d", b.ID)
	}
	return translate(res.Error, "blog status")
}

// BlogByID loads a blog.
func (s *Blogs) BlogByID(ctx context.Context, id int64) (*app.Blog, error) {
	var r blogRow
	if err := s.conn(ctx).First(&r, id).Error; err != nil {
		return nil, translate(err, "blog")
	}
	return r.blog(), nil
}

// BlogsOfUser lists a user's blogs, oldest first.
func (s *Blogs) BlogsOfUser(ctx context.Context, userID int64) ([]app.Blog, error) {
	var rows []blogRow
	if err := s.conn(ctx).Where("user_id = ?", userID).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "blogs")
	}
	return blogsOf(rows), nil
}

// BlogsOfActor lists the ActivityPub blogs whose actor is actorURI.
func (s *Blogs) BlogsOfActor(ctx context.Context, actorURI string) ([]app.Blog, error) {
	var rows []blogRow
	err := s.conn(ctx).Where("kind = ? AND actor_uri = ?", app.BlogActivityPub, actorURI).Order("id").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "blogs of "+actorURI)
	}
	return blogsOf(rows), nil
}

// DueFeeds lists the feed blogs whose next poll is at or before now, the
// most overdue first, at most limit.
func (s *Blogs) DueFeeds(ctx context.Context, now time.Time, limit int) ([]app.Blog, error) {
	var rows []blogRow
	err := s.conn(ctx).Where("kind = ? AND next_poll_at <= ?", app.BlogFeed, now.UTC()).
		Order("next_poll_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "due feeds")
	}
	return blogsOf(rows), nil
}

// DeleteBlog removes a blog of userID (its published posts stay);
// app.ENOTFOUND when it has none with that id.
func (s *Blogs) DeleteBlog(ctx context.Context, userID, id int64) error {
	res := s.conn(ctx).Where("id = ? AND user_id = ?", id, userID).Delete(&blogRow{})
	if res.Error == nil && res.RowsAffected == 0 {
		return app.Errorf(app.ENOTFOUND, "no blog %d", id)
	}
	return translate(res.Error, "delete blog")
}

// blogItemRow is a feed item already published.
type blogItemRow struct {
	BlogID    int64  `gorm:"primaryKey"`
	GUID      string `gorm:"primaryKey;column:guid"`
	PostURI   string
	CreatedAt time.Time
}

func (blogItemRow) TableName() string { return "blog_items" }

// MarkBlogItem records that item guid of a blog is being published as
// postURI. It reports false, writing nothing, when the item was recorded
// before: called in the transaction that publishes it, it makes each item
// published once however many polls race.
func (s *Blogs) MarkBlogItem(ctx context.Context, blogID int64, guid, postURI string) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).
		Create(&blogItemRow{BlogID: blogID, GUID: guid, PostURI: postURI, CreatedAt: time.Now().UTC()})
	return res.RowsAffected > 0, translate(res.Error, "blog item")
}

// SetBlogItemPost writes the post an item was published as.
func (s *Blogs) SetBlogItemPost(ctx context.Context, blogID int64, guid, postURI string) error {
	err := s.conn(ctx).Model(&blogItemRow{}).Where("blog_id = ? AND guid = ?", blogID, guid).Update("post_uri", postURI).Error
	return translate(err, "blog item")
}

// BlogItemPosts lists the posts a blog's items were published as, by
// guid.
func (s *Blogs) BlogItemPosts(ctx context.Context, blogID int64) (map[string]string, error) {
	var rows []blogItemRow
	if err := s.conn(ctx).Where("blog_id = ?", blogID).Find(&rows).Error; err != nil {
		return nil, translate(err, "blog items")
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.GUID] = r.PostURI
	}
	return out, nil
}

func blogsOf(rows []blogRow) []app.Blog {
	out := make([]app.Blog, len(rows))
	for i := range rows {
		out[i] = *rows[i].blog()
	}
	return out
}
