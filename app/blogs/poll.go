package blogs

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"html"
	"sort"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/posts"
	"github.com/plaudit/plaudit/app/things"
)

// claimWait is how soon a blog waiting for its claim is looked at again.
const claimWait = 5 * time.Minute

// Poll fetches feed blog id and publishes its new items, at most
// MaxItemsPerPoll, each once. What happened is the blog's status: a
// failed fetch is recorded (with backoff) and is not an error of the
// poll; only our own failures (the database) are.
func (s *Service) Poll(ctx context.Context, id int64) error {
	b, err := s.d.Store.BlogByID(ctx, id)
	if errors.Is(err, app.ErrNotFound) {
		return nil // disconnected meanwhile
	}
	if err != nil {
		return fmt.Errorf("poll blog %d: %w", id, err)
	}
	if b.Kind != app.BlogFeed {
		return nil
	}
	now := s.d.Now().UTC()
	if b.NextPollAt.After(now.Add(time.Minute)) {
		return nil // polled meanwhile: this task is a duplicate
	}
	user, err := s.d.Users.UserByID(ctx, b.UserID)
	if err != nil {
		return fmt.Errorf("poll blog %d: %w", id, err)
	}
	owner, err := s.d.Owners.OwnerOf(ctx, "", b.FeedURL, b.URL)
	if err != nil {
		return fmt.Errorf("poll blog %d: %w", id, err)
	}
	if owner != b.OwnerURI {
		b.LastError = fmt.Sprintf("waiting for your claim of %s: claim it and verify the claim before its posts are published", b.URL)
		// Look again soon: the creator is probably making the claim now.
		b.NextPollAt = now.Add(min(s.d.Settings.Interval, claimWait))
		return s.d.Store.SaveBlogStatus(ctx, b)
	}
	feed, err := s.d.Feeds.Fetch(ctx, b.FeedURL, b.ETag, b.LastModified)
	b.LastFetchAt = &now
	if err != nil {
		if app.ErrorCode(err) == app.EINTERNAL {
			return fmt.Errorf("poll blog %d: %w", id, err)
		}
		b.Failures++
		b.LastError = app.ErrorMessage(err)
		b.NextPollAt = s.next(b, now, true)
		return s.d.Store.SaveBlogStatus(ctx, b)
	}
	b.Failures, b.LastError = 0, ""
	if !feed.NotModified {
		b.ETag, b.LastModified = feed.ETag, feed.LastModified
		if feed.Title != "" {
			b.Title = feed.Title
		}
		if len(feed.PaymentLinks) > 0 {
			b.PaymentLinks = feed.PaymentLinks
		}
		if err := s.publishNew(ctx, b, user.Username, feed.Items, now); err != nil {
			return fmt.Errorf("poll blog %d: %w", id, err)
		}
	}
	b.NextPollAt = s.next(b, now, false)
	return s.d.Store.SaveBlogStatus(ctx, b)
}

// publishNew publishes the items not published before, oldest first. The
// first poll of a blog publishes only the newest Backfill items and
// remembers the rest, so that connecting a blog does not post its
// archive.
func (s *Service) publishNew(ctx context.Context, b *app.Blog, username string, items []app.FeedItem, now time.Time) error {
	items = append([]app.FeedItem(nil), items...)
	sort.SliceStable(items, func(i, j int) bool { return items[i].Published.Before(items[j].Published) })
	first := b.Items == 0 && b.LastItemAt == nil
	skip := 0
	if first {
		skip = max(0, len(items)-max(s.d.Settings.Backfill, 0))
	}
	published := 0
	for i, it := range items {
		if it.GUID == "" {
			continue
		}
		if i < skip {
			if _, err := s.d.Store.MarkBlogItem(ctx, b.ID, it.GUID, ""); err != nil {
				return err
			}
			continue
		}
		if published >= s.d.Settings.MaxItemsPerPoll {
			break
		}
		ok, err := s.publishItem(ctx, b, username, it)
		if err != nil {
			return err
		}
		if ok {
			published++
			b.Items++
			b.LastItemAt = &now
		}
	}
	return nil
}

// publishItem publishes one item as an Article of username unless it was
// published before; the item's record and the post are written together.
func (s *Service) publishItem(ctx context.Context, b *app.Blog, username string, it app.FeedItem) (bool, error) {
	done := false
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		fresh, err := s.d.Store.MarkBlogItem(ctx, b.ID, it.GUID, "")
		if err != nil || !fresh {
			return err
		}
		p, _, err := s.d.Posts.Publish(ctx, username, ArticleOf(b, it))
		if err != nil {
			return err
		}
		done = true
		return s.d.Store.SetBlogItemPost(ctx, b.ID, it.GUID, p.URI)
	})
	if err != nil {
		return false, fmt.Errorf("publish item %s: %w", it.GUID, err)
	}
	return done, nil
}

// ArticleOf is the Article that announces a feed item: its title, an
// excerpt and the link to the original.
func ArticleOf(b *app.Blog, it app.FeedItem) posts.Draft {
	link, err := things.CheckURL(it.Link)
	if err != nil {
		link = b.URL
	}
	title := strings.TrimSpace(it.Title)
	if r := []rune(title); len(r) > 300 {
		title = string(r[:300])
	}
	var content strings.Builder
	if ex := things.Excerpt("", it.Summary); ex != "" {
		content.WriteString("<p>" + html.EscapeString(ex) + "</p>")
	}
	content.WriteString(`<p><a href="` + html.EscapeString(link) + `">` + html.EscapeString(link) + `</a></p>`)
	return posts.Draft{Type: app.PostArticle, Name: title, Content: content.String()}
}

// next is when blog b is polled again: Interval after now, doubled for
// each failure in a row up to MaxBackoff, plus a jitter of up to a tenth
// of the wait fixed per blog, so that feeds connected together do not
// stay together.
func (s *Service) next(b *app.Blog, now time.Time, failed bool) time.Time {
	wait := s.d.Settings.Interval
	if failed {
		for i := 1; i < b.Failures && wait < s.d.Settings.MaxBackoff; i++ {
			wait *= 2
		}
		wait = min(wait, s.d.Settings.MaxBackoff)
	}
	h := fnv.New32a()
	fmt.Fprintf(h, "%d", b.ID)
	jitter := time.Duration(uint64(h.Sum32()) % uint64(wait/10+1))
	return now.Add(wait + jitter)
}
