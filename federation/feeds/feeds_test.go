package feeds_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/feeds"
	"github.com/plaudit/plaudit/federation/transport"
)

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestParse(t *testing.T) {
	tests := []struct {
		file, title string
		items       []app.FeedItem
		links       int
	}{
		{file: "rss.xml", title: "A blog", links: 2, items: []app.FeedItem{
			{GUID: "https://blog.example/?p=1", Title: "First", Link: "https://blog.example/first", Summary: "<p>Hello <b>world</b></p>", Published: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)},
			{GUID: "https://feeds.example/second", Title: "Second", Link: "https://feeds.example/second", Published: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)},
		}},
		{file: "atom.xml", title: "Atom blog", links: 1, items: []app.FeedItem{
			{GUID: "urn:uuid:1", Title: "Entry", Link: "https://atom.example/entry", Summary: "An entry", Published: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)},
		}},
		{file: "feed.json", title: "JSON blog", items: []app.FeedItem{
			{GUID: "1", Title: "One", Link: "https://json.example/1", Summary: "<p>one</p>", Published: time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			f, err := feeds.Parse("https://feeds.example/feed", mustRead(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if f.Title != tt.title || len(f.PaymentLinks) != tt.links {
				t.Errorf("title %q, payment links %+v; want %q and %d", f.Title, f.PaymentLinks, tt.title, tt.links)
			}
			if len(f.Items) != len(tt.items) {
				t.Fatalf("items = %+v, want %d", f.Items, len(tt.items))
			}
			for i, want := range tt.items {
				if got := f.Items[i]; got != want {
					t.Errorf("item %d = %+v, want %+v", i, got, want)
				}
			}
		})
	}
}

func TestFetch(t *testing.T) {
	rss := mustRead(t, "rss.xml")
	var full, notModified atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/feed":
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			full.Add(1)
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write(rss)
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed"></head></html>`))
		case "/html-only":
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte(`<html><body>hi</body></html>`))
		case "/not-a-feed":
			w.Header().Set("Content-Type", "application/xml")
			_, _ = w.Write([]byte(`<?xml version="1.0"?><note>hi</note>`))
		case "/huge":
			w.Header().Set("Content-Type", "application/rss+xml")
			_, _ = w.Write([]byte(strings.Repeat(" ", 64<<10)))
		}
	}))
	defer srv.Close()
	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 5 * time.Second})
	r := &feeds.Reader{Client: client, MaxBytes: 32 << 10}
	ctx := context.Background()

	f, err := r.Fetch(ctx, srv.URL+"/feed", "", "")
	if err != nil || f.NotModified || f.ETag != `"v1"` || len(f.Items) != 2 {
		t.Fatalf("first fetch = %+v, %v", f, err)
	}
	f, err = r.Fetch(ctx, srv.URL+"/feed", f.ETag, "")
	if err != nil || !f.NotModified || len(f.Items) != 0 {
		t.Fatalf("conditional fetch = %+v, %v; want not modified", f, err)
	}
	if full.Load() != 1 || notModified.Load() != 1 {
		t.Errorf("server sent %d full answers and %d 304s", full.Load(), notModified.Load())
	}

	found, err := r.Discover(ctx, srv.URL+"/page")
	if err != nil || found.Kind != app.BlogFeed || found.FeedURL != srv.URL+"/feed" || found.Title != "A blog" {
		t.Errorf("Discover(page) = %+v, %v", found, err)
	}
	for path, want := range map[string]string{
		"/not-a-feed": "is not an RSS, Atom or JSON feed",
		"/huge":       "larger than the limit of 32768 bytes",
		"/html-only":  "names no feed",
	} {
		_, err := r.Discover(ctx, srv.URL+path)
		if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), want) {
			t.Errorf("Discover(%s) = %v, want invalid saying %q", path, err, want)
		}
	}
}

// FuzzParse maps arbitrary feeds: no panic, and every item has an id and
// only absolute http(s) links.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		f.Add(mustRead(f, name))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := feeds.Parse("https://feeds.example/feed", body)
		if err != nil {
			return
		}
		for _, it := range feed.Items {
			if it.GUID == "" {
				t.Fatalf("item without id: %+v", it)
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "http://") && !strings.HasPrefix(it.Link, "https://") {
				t.Fatalf("item link %q is not http(s)", it.Link)
			}
		}
		for _, l := range feed.PaymentLinks {
			if !strings.HasPrefix(l.Href, "http") {
				t.Fatalf("payment link %q", l.Href)
			}
		}
	})
}

// BenchmarkParse maps an RSS feed of 50 items.
func BenchmarkParse(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>`)
	for i := range 50 {
		fmt.Fprintf(&sb, `<item><title>Post %d</title><link>https://blog.example/%d</link><guid>https://blog.example/?p=%d</guid><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Some text about bees, part %d.&lt;/p&gt;</description></item>`, i, i, i, i)
	}
	sb.WriteString(`</channel></rss>`)
	body := []byte(sb.String())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := feeds.Parse("https://blog.example/feed", body); err != nil {
			b.Fatal(err)
		}
	}
}

// With allow_private_addresses off a blog on a loopback address is
// refused before any connection, with a message.
func TestDiscoverRefusesPrivateAddresses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		t.Error("the guard let a request through")
	}))
	defer srv.Close()
	r := &feeds.Reader{Client: transport.New(transport.Options{AllowHTTP: true})}
	_, err := r.Discover(context.Background(), srv.URL+"/feed")
	if app.ErrorCode(err) != app.EINVALID || !strings.Contains(app.ErrorMessage(err), "public address") {
		t.Errorf("Discover(loopback) = %v, want invalid naming the address", err)
	}
}
