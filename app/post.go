package app

import "time"

// Post types a local user can publish.
const (
	PostNote    = "Note"
	PostArticle = "Article"
	PostPage    = "Page"
)

// Post is something a local user published: a Note, Article or Page. The
// Create activity that announced it is ActivityURI.
type Post struct {
	ID          int64
	URI         string
	ActivityURI string
	AuthorURI   string
	Type        string
	Name        string // title, for an Article or Page
	Summary     string // content warning or abstract
	Content     string // HTML
	InReplyTo   string
	Sensitive   bool
	// To and Cc are the audience: actor ids, the author's followers
	// collection, or the Public collection.
	To, Cc      []string
	Public      bool
	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
