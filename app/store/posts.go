package store

import (
	"context"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// postRow is a post as stored: the audience lists are space-separated.
type postRow struct {
	ID          int64
	URI         string
	ActivityURI string
	AuthorURI   string
	Type        string
	Name        string
	Summary     string
	Content     string
	InReplyTo   string
	Sensitive   bool
	AudienceTo  string
	AudienceCc  string
	Public      bool
	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (postRow) TableName() string { return "posts" }

func (r *postRow) post() *app.Post {
	return &app.Post{
		ID: r.ID, URI: r.URI, ActivityURI: r.ActivityURI, AuthorURI: r.AuthorURI, Type: r.Type,
		Name: r.Name, Summary: r.Summary, Content: r.Content, InReplyTo: r.InReplyTo, Sensitive: r.Sensitive,
		To: strings.Fields(r.AudienceTo), Cc: strings.Fields(r.AudienceCc), Public: r.Public,
		PublishedAt: r.PublishedAt, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// InsertPost stores a new local post and sets its ID.
func (s *Posts) InsertPost(ctx context.Context, p *app.Post) error {
	r := postRow{
		URI: p.URI, ActivityURI: p.ActivityURI, AuthorURI: p.AuthorURI, Type: p.Type, Name: p.Name,
		Summary: p.Summary, Content: p.Content, InReplyTo: p.InReplyTo, Sensitive: p.Sensitive,
		AudienceTo: strings.Join(p.To, " "), AudienceCc: strings.Join(p.Cc, " "), Public: p.Public,
		PublishedAt: p.PublishedAt.UTC(), CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC(),
	}
	if err := s.conn(ctx).Create(&r).Error; err != nil {
		return translate(err, "post "+p.URI)
	}
	p.ID = r.ID
	return nil
}

// PostByURI loads a local post by its id.
func (s *Posts) PostByURI(ctx context.Context, uri string) (*app.Post, error) {
	var r postRow
	if err := s.conn(ctx).Where("uri = ?", uri).First(&r).Error; err != nil {
		return nil, translate(err, "post "+uri)
	}
	return r.post(), nil
}
