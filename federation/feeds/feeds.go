// Package feeds reads blogs for app/blogs: it finds a blog's ActivityPub
// actor or its feed (blogs.Discoverer) and fetches RSS, Atom and JSON
// feeds conditionally (blogs.Feeds), through the SSRF-guarded client and
// within a size limit, with github.com/mmcdole/gofeed.
package feeds

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/blogs"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/pages"
	"github.com/plaudit/plaudit/federation/transport"
)

// DefaultMaxBytes is the largest feed read when Reader.MaxBytes is 0.
const DefaultMaxBytes = 2 << 20

// maxItems bounds the items kept of one feed.
const maxItems = 200

// Reader implements blogs.Discoverer and blogs.Feeds.
type Reader struct {
	// Client fetches pages and feeds (unsigned is fine: feeds are public).
	Client *transport.Client
	// MaxBytes is the largest feed accepted; 0 means DefaultMaxBytes.
	MaxBytes int64
}

const (
	acceptFeed = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1"
	acceptBlog = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.9, ` + acceptFeed
)

func (r *Reader) maxBytes() int64 {
	if r.MaxBytes > 0 {
		return r.MaxBytes
	}
	return DefaultMaxBytes
}

// Discover tells what the blog at rawURL is: an ActivityPub actor (by
// content negotiation or its page's alternate), else a feed (the address
// itself or its page's feed alternate).
func (r *Reader) Discover(ctx context.Context, rawURL string) (blogs.Found, error) {
	resp, err := r.get(ctx, rawURL, acceptBlog, nil)
	if err != nil {
		return blogs.Found{}, err
	}
	if isActivityJSON(resp.Header.Get("Content-Type")) {
		if a, err := as2.ParseActor(resp.Body); err == nil && as2.IsActorType(a.Type) {
			return blogs.Found{Kind: app.BlogActivityPub, ActorURI: a.ID, Title: a.Name}, nil
		}
		return blogs.Found{}, app.Errorf(app.EINVALID, "%s is an ActivityPub document but not an actor: connect the blog's actor or its address", rawURL)
	}
	if strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "html") {
		return r.fromPage(ctx, resp)
	}
	f, err := r.parse(resp)
	if err != nil {
		return blogs.Found{}, err
	}
	return blogs.Found{Kind: app.BlogFeed, FeedURL: resp.FinalURL, Title: f.Title}, nil
}

// fromPage follows a blog page's ActivityPub alternate to an actor, else
// its first feed.
func (r *Reader) fromPage(ctx context.Context, resp *transport.Response) (blogs.Found, error) {
	base, err := url.Parse(resp.FinalURL)
	if err != nil {
		return blogs.Found{}, app.Errorf(app.EINVALID, "%s is not a URL", resp.FinalURL)
	}
	p := pages.Parse(base, bytes.NewReader(resp.Body))
	for _, alt := range p.ActivityPub {
		ar, err := r.get(ctx, alt, transport.DefaultAccept, nil)
		if err != nil {
			continue
		}
		if a, err := as2.ParseActor(ar.Body); err == nil && as2.IsActorType(a.Type) {
			return blogs.Found{Kind: app.BlogActivityPub, ActorURI: a.ID, Title: a.Name}, nil
		}
	}
	if len(p.Feeds) == 0 {
		return blogs.Found{}, app.Errorf(app.EINVALID, "%s is a web page that names no feed and no ActivityPub actor: connect the feed's address", resp.FinalURL)
	}
	f, err := r.Fetch(ctx, p.Feeds[0], "", "")
	if err != nil {
		return blogs.Found{}, err
	}
	title := f.Title
	if title == "" {
		title = p.Title
	}
	return blogs.Found{Kind: app.BlogFeed, FeedURL: p.Feeds[0], Title: title}, nil
}

// Fetch fetches the feed at feedURL, conditionally when etag or
// lastModified are set: a 304 is a Feed with NotModified set.
func (r *Reader) Fetch(ctx context.Context, feedURL, etag, lastModified string) (*app.Feed, error) {
	h := http.Header{}
	if etag != "" {
		h.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		h.Set("If-Modified-Since", lastModified)
	}
	resp, err := r.get(ctx, feedURL, acceptFeed, h)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusNotModified {
		return &app.Feed{NotModified: true, ETag: etag, LastModified: lastModified}, nil
	}
	f, err := r.parse(resp)
	if err != nil {
		return nil, err
	}
	f.ETag, f.LastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	return f, nil
}

// get fetches rawURL within the size limit, describing failures for the
// creator.
func (r *Reader) get(ctx context.Context, rawURL, accept string, h http.Header) (*transport.Response, error) {
	resp, err := r.Client.GetWith(ctx, rawURL, transport.GetOptions{Accept: accept, Header: h, MaxBodyBytes: r.maxBytes()})
	if errors.Is(err, transport.ErrTooLarge) {
		return nil, &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("%s is larger than the limit of %d bytes", rawURL, r.maxBytes()), Err: err}
	}
	if err != nil {
		return nil, dereference.FetchFailure("feed", rawURL, err)
	}
	return resp, nil
}

// parse reads a fetched feed.
func (r *Reader) parse(resp *transport.Response) (*app.Feed, error) {
	f, err := Parse(resp.FinalURL, resp.Body)
	if err != nil {
		return nil, &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("%s is not an RSS, Atom or JSON feed", resp.FinalURL), Err: err}
	}
	return f, nil
}

// Parse reads an RSS, Atom or JSON feed served at feedURL and maps it:
// items with a stable id (guid, id, else link), absolute http(s) links
// only, and the feed's rel="payment" and rel="monetization" links.
func Parse(feedURL string, body []byte) (*app.Feed, error) {
	parsed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	base, _ := url.Parse(feedURL)
	out := &app.Feed{Title: clip(strings.TrimSpace(parsed.Title), 300)}
	for _, it := range parsed.Items {
		if len(out.Items) >= maxItems {
			break
		}
		if item, ok := mapItem(base, it); ok {
			out.Items = append(out.Items, item)
		}
	}
	out.PaymentLinks = paymentLinks(base, body)
	return out, nil
}

// mapItem maps one gofeed item; an item with neither id nor link is
// dropped.
func mapItem(base *url.URL, it *gofeed.Item) (app.FeedItem, bool) {
	if it == nil {
		return app.FeedItem{}, false
	}
	link := absolute(base, it.Link)
	for _, l := range it.Links {
		if link != "" {
			break
		}
		link = absolute(base, l)
	}
	guid := strings.TrimSpace(it.GUID)
	if guid == "" {
		guid = link
	}
	if guid == "" || len(guid) > 2048 {
		return app.FeedItem{}, false
	}
	summary := it.Description
	if summary == "" {
		summary = it.Content
	}
	item := app.FeedItem{GUID: guid, Title: clip(strings.TrimSpace(it.Title), 300), Link: link, Summary: clip(summary, 8192)}
	switch {
	case it.PublishedParsed != nil:
		item.Published = it.PublishedParsed.UTC()
	case it.UpdatedParsed != nil:
		item.Published = it.UpdatedParsed.UTC()
	}
	return item, true
}

// paymentLinks scans the feed's head (before its first item or entry)
// for <link rel="payment"> and <link rel="monetization"> (Atom links, or
// atom:link in RSS). JSON feeds have none.
func paymentLinks(base *url.URL, body []byte) []app.PaymentLink {
	if json.Valid(body) {
		return nil
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = false
	var out []app.PaymentLink
	for len(out) < 16 {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return out
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch strings.ToLower(el.Name.Local) {
		case "item", "entry":
			return out
		case "link":
			var rel, href, title string
			for _, a := range el.Attr {
				switch strings.ToLower(a.Name.Local) {
				case "rel":
					rel = strings.ToLower(strings.TrimSpace(a.Value))
				case "href":
					href = a.Value
				case "title":
					title = a.Value
				}
			}
			h := absolute(base, href)
			switch {
			case h == "":
			case rel == "payment":
				out = append(out, app.PaymentLink{Kind: app.PaymentFEP0ea0, Href: h, Name: clip(title, 200)})
			case rel == "monetization":
				out = append(out, app.PaymentLink{Kind: app.PaymentMonetization, Href: h, Name: clip(title, 200)})
			}
		}
	}
	return out
}

func absolute(base *url.URL, href string) string {
	href = strings.TrimSpace(href)
	if href == "" {
		return ""
	}
	u, err := url.Parse(href)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.String()
}

func isActivityJSON(ct string) bool {
	ct = strings.ToLower(ct)
	return strings.Contains(ct, "application/activity+json") ||
		strings.Contains(ct, "application/ld+json") && strings.Contains(ct, "activitystreams")
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
