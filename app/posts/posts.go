// Package posts holds the use case of a local user publishing a Note,
// Article or Page: the post is stored as a row of its own and announced
// with a Create, in one transaction.
package posts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists posts.
type Store interface {
	InsertPost(ctx context.Context, p *app.Post) error
	PostByURI(ctx context.Context, uri string) (*app.Post, error)
}

// Outbox announces posts (implemented by federation/outbox).
type Outbox interface {
	// SendCreate gives p a local id (p.URI) and publishes its Create
	// (p.ActivityURI) to p's audience and to extra, the blind recipients
	// that are used for delivery but not published.
	SendCreate(ctx context.Context, p *app.Post, extra []string) (*app.Activity, error)
}

// Things registers published posts as things that can be flattred
// (implemented by app/things.Service).
type Things interface {
	Published(ctx context.Context, p *app.Post) error
}

// Addresses names local actors and collections (implemented by
// federation.URLs).
type Addresses interface {
	Actor(username string) string
	Followers(username string) string
}

// PublicCollection is the audience that makes a post public; posts do not
// depend on the JSON-LD package, so the IRI is spelled out here.
const PublicCollection = "https://www.w3.org/ns/activitystreams#Public"

// Deps are what the Service needs.
type Deps struct {
	Tx     app.Transactor
	Store  Store
	Outbox Outbox
	// Things, when set, is told of every post, in its transaction.
	Things Things
	URLs   Addresses
	Now    func() time.Time
}

// Service runs the post use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Draft is a post as its author asks for it.
type Draft struct {
	Type      string // Note, Article or Page
	Name      string
	Summary   string
	Content   string
	InReplyTo string
	Sensitive bool
	// To, Cc, Bto and Bcc are the audience. Bto and Bcc are delivered to
	// but not published. With no audience at all the post is public: to
	// the Public collection, cc the author's followers.
	To, Cc, Bto, Bcc []string
}

// Publish stores username's post and sends its Create, both or neither.
func (s *Service) Publish(ctx context.Context, username string, d Draft) (*app.Post, *app.Activity, error) {
	if d.Type != app.PostNote && d.Type != app.PostArticle && d.Type != app.PostPage {
		return nil, nil, app.Errorf(app.EINVALID, "only a Note, Article or Page can be posted, not %q", d.Type)
	}
	if len(d.To)+len(d.Cc)+len(d.Bto)+len(d.Bcc) == 0 {
		d.To = []string{PublicCollection}
		d.Cc = []string{s.d.URLs.Followers(username)}
	}
	now := s.d.Now().UTC()
	p := &app.Post{
		AuthorURI: s.d.URLs.Actor(username), Type: d.Type, Name: d.Name, Summary: d.Summary,
		Content: d.Content, InReplyTo: d.InReplyTo, Sensitive: d.Sensitive,
		To: dedupe(d.To), Cc: dedupe(d.Cc), PublishedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	p.Public = isPublic(p.To) || isPublic(p.Cc)
	var act *app.Activity
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		var err error
		if act, err = s.d.Outbox.SendCreate(ctx, p, dedupe(append(append([]string{}, d.Bto...), d.Bcc...))); err != nil {
			return err
		}
		if err := s.d.Store.InsertPost(ctx, p); err != nil {
			return err
		}
		if s.d.Things == nil {
			return nil
		}
		return s.d.Things.Published(ctx, p)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("publish %s of %s: %w", d.Type, username, err)
	}
	return p, act, nil
}

// ByURI loads a local post.
func (s *Service) ByURI(ctx context.Context, uri string) (*app.Post, error) {
	return s.d.Store.PostByURI(ctx, uri)
}

// isPublic tells whether the audience includes everyone, in any of the
// forms servers write the Public collection.
func isPublic(audience []string) bool {
	for _, a := range audience {
		switch strings.TrimSpace(a) {
		case PublicCollection, "as:Public", "Public":
			return true
		}
	}
	return false
}

func dedupe(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := make([]string, 0, len(list))
	for _, v := range list {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
