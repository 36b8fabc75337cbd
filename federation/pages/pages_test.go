package pages_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/pages"
)

func mustURL(tb testing.TB, s string) *url.URL {
	tb.Helper()
	u, err := url.Parse(s)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		html string
		want pages.Page
	}{
		{
			name: "wordpress with the activitypub plugin",
			html: `<!doctype html><html><head><title>Old  title</title>
<meta property="og:title" content="Hello world">
<link rel="alternate" type="application/activity+json" href="/?p=12">
<link rel="alternate" type="application/rss+xml" href="https://blog.example/feed/">
<meta name="fediverse:creator" content="@alice@social.example">
<link rel="payment" href="https://pay.example/alice" title="Tip me">
<meta name="monetization" content="$wallet.example/alice">
</head><body><a rel="author me" href="https://social.example/@alice#x">me</a></body></html>`,
			want: pages.Page{
				Title:       "Hello world",
				ActivityPub: []string{"https://blog.example/?p=12"},
				Feeds:       []string{"https://blog.example/feed/"},
				Creators:    []string{"alice@social.example"},
				Authors:     []string{"https://social.example/@alice"},
				Me:          []string{"https://social.example/@alice"},
				PaymentLinks: []app.PaymentLink{
					{Kind: app.PaymentFEP0ea0, Href: "https://pay.example/alice", Name: "Tip me"},
					{Kind: app.PaymentMonetization, Href: "https://wallet.example/alice"},
				},
			},
		},
		{
			name: "title only, bad links dropped",
			html: `<title>
  Just a   page </title><a rel="me" href="javascript:alert(1)">x</a><a rel="me" href="mailto:a@b">y</a>
<link rel="alternate" type="text/html" href="/other"><meta name="fediverse:creator" content="not a handle">`,
			want: pages.Page{Title: "Just a page"},
		},
		{
			name: "ld+json alternate with the activitystreams profile, and a base",
			html: `<base href="https://cdn.example/x/"><link rel="Alternate" type='application/ld+json; profile="https://www.w3.org/ns/activitystreams"' href="note.json">`,
			want: pages.Page{ActivityPub: []string{"https://cdn.example/x/note.json"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pages.Parse(mustURL(t, "https://blog.example/2026/hello/"), strings.NewReader(tt.html))
			if diff := cmp.Diff(&tt.want, got); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzParse feeds arbitrary markup to the parser: it must not panic, and
// every link it returns must be absolute http(s).
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
	}
	f.Add(`<link rel="alternate" type="application/activity+json" href="//x/y">`)
	base := mustURL(f, "https://blog.example/a/")
	f.Fuzz(func(t *testing.T, doc string) {
		p := pages.Parse(base, strings.NewReader(doc))
		all := append(append(append(append([]string{}, p.ActivityPub...), p.Feeds...), p.Authors...), p.Me...)
		for _, l := range p.PaymentLinks {
			all = append(all, l.Href)
		}
		for _, l := range all {
			u, err := url.Parse(l)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				t.Fatalf("link %q is not absolute http(s)", l)
			}
		}
		for _, c := range p.Creators {
			if strings.Count(c, "@") != 1 {
				t.Fatalf("creator %q is not user@host", c)
			}
		}
	})
}

// BenchmarkParse reads the WordPress page fixture.
func BenchmarkParse(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join("testdata", "wordpress.html"))
	if err != nil {
		b.Fatal(err)
	}
	base := mustURL(b, "https://blog.example/")
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	for b.Loop() {
		pages.Parse(base, strings.NewReader(string(doc)))
	}
}
