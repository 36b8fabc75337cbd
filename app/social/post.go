package social

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/posts"
)

// Visibilities a status can be posted with, as Mastodon names them.
const (
	VisibilityPublic   = "public"
	VisibilityUnlisted = "unlisted"
	VisibilityPrivate  = "private"
	VisibilityDirect   = "direct"
)

// MaxStatusLength is how many characters a status may have (the
// instance entity says 500).
const MaxStatusLength = 500

// MaxKeyLength bounds an Idempotency-Key.
const MaxKeyLength = 200

// Status is a status as a Mastodon app posts it.
type Status struct {
	Text        string
	SpoilerText string
	Sensitive   bool
	Visibility  string // "" is public
	InReplyToID int64  // a thing's id, 0 for none
	// Key is the request's Idempotency-Key: the same key from the same
	// user answers the post made with it, without posting again.
	Key string
}

// PostStatus publishes username's status as a local Note (its Create
// goes to their followers) and returns it as a timeline entry. With a
// Key already used by username, it returns the post made then.
func (s *Service) PostStatus(ctx context.Context, username string, st Status) (*app.TimelineEntry, error) {
	if len(st.Key) > MaxKeyLength {
		return nil, app.Errorf(app.EINVALID, "the Idempotency-Key is longer than %d characters", MaxKeyLength)
	}
	if st.Key != "" {
		if uri, err := s.d.Store.StatusByKey(ctx, username, st.Key); err == nil {
			return s.postEntry(ctx, uri)
		} else if !errors.Is(err, app.ErrNotFound) {
			return nil, err
		}
	}
	d, err := s.draft(ctx, username, st)
	if err != nil {
		return nil, err
	}
	var p *app.Post
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if p, _, err = s.d.Posts.Publish(ctx, username, d); err != nil {
			return err
		}
		if st.Key == "" {
			return nil
		}
		return s.d.Store.SaveStatusKey(ctx, username, st.Key, p.URI)
	})
	if app.ErrorCode(err) == app.ECONFLICT && st.Key != "" {
		// Another request with the key won: its post is the answer.
		if uri, kerr := s.d.Store.StatusByKey(ctx, username, st.Key); kerr == nil {
			return s.postEntry(ctx, uri)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("post status of %s: %w", username, err)
	}
	return s.postEntry(ctx, p.URI)
}

// draft checks st and makes the Note it asks for.
func (s *Service) draft(ctx context.Context, username string, st Status) (posts.Draft, error) {
	text := strings.TrimSpace(st.Text)
	switch {
	case text == "":
		return posts.Draft{}, app.Errorf(app.EINVALID, "Validation failed: Text can't be blank")
	case len([]rune(text))+len([]rune(st.SpoilerText)) > MaxStatusLength:
		return posts.Draft{}, app.Errorf(app.EINVALID, "Validation failed: Text character limit of %d exceeded", MaxStatusLength)
	}
	d := posts.Draft{Type: app.PostNote, Content: TextToHTML(text), Summary: strings.TrimSpace(st.SpoilerText), Sensitive: st.Sensitive || st.SpoilerText != ""}
	followers := s.d.URLs.Followers(username)
	switch st.Visibility {
	case "", VisibilityPublic:
		d.To, d.Cc = []string{posts.PublicCollection}, []string{followers}
	case VisibilityUnlisted:
		d.To, d.Cc = []string{followers}, []string{posts.PublicCollection}
	case VisibilityPrivate:
		d.To = []string{followers}
	case VisibilityDirect:
		return posts.Draft{}, app.Errorf(app.EINVALID, "direct statuses are not supported here yet")
	default:
		return posts.Draft{}, app.Errorf(app.EINVALID, "Validation failed: Visibility %q is not one of public, unlisted, private", st.Visibility)
	}
	if st.InReplyToID != 0 {
		t, err := s.d.Things.ByID(ctx, st.InReplyToID)
		if errors.Is(err, app.ErrNotFound) {
			return posts.Draft{}, app.Errorf(app.EINVALID, "the status replied to (%d) is not known here", st.InReplyToID)
		}
		if err != nil {
			return posts.Draft{}, err
		}
		d.InReplyTo = t.URI
	}
	return d, nil
}

// postEntry is the local post uri as a timeline entry.
func (s *Service) postEntry(ctx context.Context, uri string) (*app.TimelineEntry, error) {
	p, err := s.d.Posts.ByURI(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("posted status %s: %w", uri, err)
	}
	t, err := s.d.Things.ByURI(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("posted status %s: %w", uri, err)
	}
	return &app.TimelineEntry{Thing: *t, Content: p.Content, Summary: p.Summary, Sensitive: p.Sensitive, InReplyTo: p.InReplyTo, PublishedAt: p.PublishedAt}, nil
}

var linkPattern = regexp.MustCompile(`https?://[^\s<>"]+`)

// TextToHTML turns a status's plain text into the HTML of a post:
// escaped, paragraphs at blank lines, line breaks kept, links made
// clickable.
func TextToHTML(text string) string {
	var b strings.Builder
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		lines := strings.Split(para, "\n")
		for i, l := range lines {
			lines[i] = linkify(l)
		}
		b.WriteString("<p>" + strings.Join(lines, "<br>") + "</p>")
	}
	return b.String()
}

// linkify escapes line and makes its URLs links.
func linkify(line string) string {
	var b strings.Builder
	last := 0
	for _, m := range linkPattern.FindAllStringIndex(line, -1) {
		b.WriteString(html.EscapeString(line[last:m[0]]))
		u := html.EscapeString(line[m[0]:m[1]])
		b.WriteString(`<a href="` + u + `" rel="nofollow noopener" target="_blank">` + u + `</a>`)
		last = m[1]
	}
	b.WriteString(html.EscapeString(line[last:]))
	return b.String()
}

// ParseID reads a Mastodon id; what is not a positive number is 0.
func ParseID(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0
	}
	return n
}
