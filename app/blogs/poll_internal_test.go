package blogs

import (
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
)

func TestNextPollBacksOffAndSpreads(t *testing.T) {
	s := New(Deps{Settings: Settings{Interval: 10 * time.Minute, MaxBackoff: time.Hour}})
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		failures        int
		failed          bool
		atLeast, atMost time.Duration
	}{
		{failures: 0, atLeast: 10 * time.Minute, atMost: 11 * time.Minute},
		{failures: 1, failed: true, atLeast: 10 * time.Minute, atMost: 11 * time.Minute},
		{failures: 2, failed: true, atLeast: 20 * time.Minute, atMost: 22 * time.Minute},
		{failures: 3, failed: true, atLeast: 40 * time.Minute, atMost: 44 * time.Minute},
		{failures: 9, failed: true, atLeast: time.Hour, atMost: 66 * time.Minute},
	}
	for _, tt := range tests {
		b := &app.Blog{ID: 7, Failures: tt.failures}
		wait := s.next(b, now, tt.failed).Sub(now)
		if wait < tt.atLeast || wait > tt.atMost {
			t.Errorf("after %d failures: next poll in %s, want %s to %s", tt.failures, wait, tt.atLeast, tt.atMost)
		}
	}
	// Blogs connected together do not stay together.
	spread := map[time.Time]bool{}
	for id := int64(1); id <= 20; id++ {
		spread[s.next(&app.Blog{ID: id}, now, false)] = true
	}
	if len(spread) < 10 {
		t.Errorf("20 blogs got only %d distinct poll times", len(spread))
	}
}

func TestArticleOfLinksTheOriginal(t *testing.T) {
	b := &app.Blog{URL: "https://blog.example/"}
	d := ArticleOf(b, app.FeedItem{Title: "Hi", Link: "https://blog.example/hi?a=1&b=<2>", Summary: "<p>Some <script>x</script> text</p>"})
	if d.Type != app.PostArticle || d.Name != "Hi" {
		t.Errorf("draft = %+v", d)
	}
	want := `<p>Some x text</p><p><a href="https://blog.example/hi?a=1&amp;b=&lt;2&gt;">https://blog.example/hi?a=1&amp;b=&lt;2&gt;</a></p>`
	if d.Content != want {
		t.Errorf("content = %s\nwant      %s", d.Content, want)
	}
	if d := ArticleOf(b, app.FeedItem{Link: "javascript:alert(1)"}); d.Content != `<p><a href="https://blog.example/">https://blog.example/</a></p>` {
		t.Errorf("a non-http link is not replaced by the blog's: %s", d.Content)
	}
}
