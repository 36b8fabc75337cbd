// Package resolve finds the thing behind any URL a user pastes
// (app/things.Resolver): an ActivityPub object (by content negotiation,
// or the <link rel="alternate"> of its page) fetched from its own id,
// with its owner confirmed only when the origin names it; else a web page
// with the creator it names (fediverse:creator, honoured only when that
// actor lists the page's domain in attributionDomains; then rel="author"
// and rel="me", unconfirmed); else a page with no owner yet.
package resolve

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"strings"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/pages"
	"github.com/plaudit/plaudit/federation/transport"
)

// Objects fetches remote objects from their origin (implemented by
// *dereference.Fetcher).
type Objects interface {
	ObjectFromOrigin(ctx context.Context, uri string) (*app.RemoteObject, error)
}

// Actors fetches remote actors (implemented by *dereference.Fetcher).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// Resolver implements things.Resolver.
type Resolver struct {
	Objects Objects
	// Actors fetches creators named by pages and, for objects, the
	// owner too: it must exist, and a Like sent to it later finds its
	// inbox without a fetch.
	Actors Actors
	// Client fetches pages and WebFinger documents through the SSRF
	// guard; without one, only ActivityPub ids are resolved.
	Client *transport.Client
	// WebFingerScheme is the scheme WebFinger is asked over; empty means
	// https (tests on loopback use http).
	WebFingerScheme string
}

// acceptAny asks for ActivityPub first and takes a web page too.
const acceptAny = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.8, */*;q=0.1`

// maxCandidates bounds how many rel="author"/"me" links are tried as
// actors, so that a page cannot make us fetch without end.
const maxCandidates = 3

// ResolveThing fetches rawURL and describes what it is as a thing.
func (r *Resolver) ResolveThing(ctx context.Context, rawURL string) (*app.Thing, error) {
	if r.Client == nil {
		// Without a client for pages only ActivityPub ids resolve.
		return r.fromOrigin(ctx, rawURL)
	}
	resp, err := r.Client.GetWith(ctx, rawURL, transport.GetOptions{Accept: acceptAny})
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", rawURL, dereference.FetchFailure("page", rawURL, err))
	}
	switch mediaType(resp.Header.Get("Content-Type")) {
	case "application/activity+json", "application/ld+json", "application/json":
		doc, err := as2.ParseObject(resp.Body)
		if err != nil {
			return nil, app.Errorf(app.EINVALID, "%s answered JSON that is not an ActivityPub object", rawURL)
		}
		// Whatever the answer said, the owner is believed only from
		// the object as its own id serves it.
		return r.fromOrigin(ctx, doc.ID)
	case "text/html", "application/xhtml+xml":
		return r.fromPage(ctx, resp)
	}
	return r.plainLink(resp.FinalURL, "", nil), nil
}

// fromOrigin describes the object with id uri as its own id serves it.
// Its owner is its attributedTo, confirmed when that actor is on the
// object's own host.
func (r *Resolver) fromOrigin(ctx context.Context, uri string) (*app.Thing, error) {
	if uri == "" {
		return nil, app.Errorf(app.EINVALID, "the object has no id")
	}
	o, err := r.Objects.ObjectFromOrigin(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", uri, err)
	}
	if o.DeletedAt != nil {
		return nil, app.Errorf(app.ENOTFOUND, "%s was deleted", uri)
	}
	t := &app.Thing{
		URI: o.URI, OwnerURI: o.AttributedTo, Kind: o.Type, Title: o.Name,
		Summary: things.Excerpt(o.Summary, o.Content), URL: o.URL, Host: hostOf(o.URI),
		PaymentLinks: PaymentLinksOf([]byte(o.Document)),
	}
	if t.URL == "" {
		t.URL = o.URI
	}
	t.OwnerConfirmed = t.OwnerURI != "" && hostOf(t.OwnerURI) == t.Host
	t.ApprovalRequired = as2.LikeNeedsApproval([]byte(o.Document))
	if t.OwnerURI != "" && r.Actors != nil {
		a, err := r.Actors.Actor(ctx, t.OwnerURI, false)
		if err != nil {
			return nil, fmt.Errorf("owner of %s: %w", uri, err)
		}
		if len(t.PaymentLinks) == 0 && t.OwnerConfirmed {
			// The object names none: show its creator's, fetched anyway.
			t.PaymentLinks = PaymentLinksOf([]byte(a.Document))
		}
	}
	return t, nil
}

// fromPage describes a web page: the ActivityPub object it is an
// alternate of, or the page itself with the creator it names.
func (r *Resolver) fromPage(ctx context.Context, resp *transport.Response) (*app.Thing, error) {
	base, err := url.Parse(resp.FinalURL)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "%s is not a URL", resp.FinalURL)
	}
	p := pages.Parse(base, strings.NewReader(string(resp.Body)))
	if len(p.ActivityPub) > 0 {
		t, err := r.fromOrigin(ctx, p.ActivityPub[0])
		if err == nil {
			return t, nil
		}
		if app.ErrorCode(err) == app.EINTERNAL {
			return nil, err
		}
		// A broken alternate leaves the page itself to flattr.
	}
	t := r.plainLink(resp.FinalURL, p.Title, p.PaymentLinks)
	t.OwnerURI, t.OwnerConfirmed = r.creatorOf(ctx, base.Host, p)
	return t, nil
}

// creatorOf names a page's creator: a fediverse:creator whose actor lists
// the page's domain in attributionDomains (confirmed), else the first
// rel="author" or rel="me" link that is an actor (unconfirmed).
func (r *Resolver) creatorOf(ctx context.Context, host string, p *pages.Page) (string, bool) {
	for i, handle := range p.Creators {
		if i >= maxCandidates {
			break
		}
		actorURI, err := r.webFinger(ctx, handle)
		if err != nil {
			continue
		}
		a, err := r.Actors.Actor(ctx, actorURI, true)
		if err == nil && AttributesDomain(a.Document, host) {
			return a.URI, true
		}
	}
	tried := 0
	for _, link := range append(append([]string{}, p.Authors...), p.Me...) {
		if tried >= maxCandidates {
			break
		}
		tried++
		if a, err := r.Actors.Actor(ctx, link, false); err == nil {
			return a.URI, false
		}
	}
	return "", false
}

// plainLink is a web page as a thing with no owner yet.
func (r *Resolver) plainLink(pageURL, title string, links []app.PaymentLink) *app.Thing {
	return &app.Thing{URI: pageURL, Kind: app.ThingLink, Title: title, URL: pageURL, Host: hostOf(pageURL), PaymentLinks: links}
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}
