// Package pages reads what a web page says about itself and its creator:
// its title, its ActivityPub alternate, its feeds, fediverse:creator,
// rel="author" and rel="me" links, and the payment links it publishes.
package pages

import (
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/plaudit/plaudit/app"
)

// Page is what a page's markup says. Every link is absolute, resolved
// against the page's address (or its <base href>), and http(s) only.
type Page struct {
	Title string // og:title, else <title>
	// ActivityPub lists the <link rel="alternate"> of type
	// application/activity+json (or ld+json with the AS profile).
	ActivityPub []string
	// Feeds lists the RSS, Atom and JSON Feed alternates.
	Feeds []string
	// Creators are the fediverse:creator handles, without the leading @
	// ("user@host").
	Creators []string
	Authors  []string // rel="author" links
	Me       []string // rel="me" links
	// PaymentLinks are <link rel="payment">, <link rel="monetization">
	// and <meta name="monetization"> (Web Monetization).
	PaymentLinks []app.PaymentLink
}

// limits on what one page can make us keep.
const (
	maxLinks    = 32
	maxTitle    = 300
	maxAttrText = 2048
)

// Parse reads an HTML document served at base. It never fails on bad
// markup (the tokenizer recovers); it returns what it found before r
// ended or failed.
func Parse(base *url.URL, r io.Reader) *Page {
	p := &Page{}
	z := html.NewTokenizer(r)
	z.SetMaxBuf(4 << 20)
	var title strings.Builder
	inTitle, ogTitle := false, ""
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			p.finish(title.String(), ogTitle)
			return p
		case html.TextToken:
			if inTitle && title.Len() < maxTitle*4 {
				title.Write(z.Text())
			}
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Title {
				inTitle = false
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := atom.Lookup(name)
			if tag == atom.Title && tt == html.StartTagToken && title.Len() == 0 {
				inTitle = true
				continue
			}
			if !hasAttr {
				continue
			}
			attrs := readAttrs(z)
			switch tag {
			case atom.Base:
				if b := resolve(base, attrs["href"]); b != nil && base != nil {
					base = b
				}
			case atom.Link, atom.A:
				p.link(base, tag, attrs)
			case atom.Meta:
				if og := p.meta(base, attrs); og != "" && ogTitle == "" {
					ogTitle = og
				}
			}
		}
	}
}

// readAttrs returns the tag's attributes, lower-case names, the first of
// each kept.
func readAttrs(z *html.Tokenizer) map[string]string {
	attrs := map[string]string{}
	for {
		k, v, more := z.TagAttr()
		key := strings.ToLower(string(k))
		if _, dup := attrs[key]; !dup && len(v) <= maxAttrText {
			attrs[key] = string(v)
		}
		if !more {
			return attrs
		}
	}
}

func (p *Page) link(base *url.URL, tag atom.Atom, attrs map[string]string) {
	rels := strings.Fields(strings.ToLower(attrs["rel"]))
	if len(rels) == 0 {
		return
	}
	href := resolve(base, attrs["href"])
	if href == nil {
		return
	}
	h := href.String()
	typ := strings.ToLower(strings.TrimSpace(attrs["type"]))
	for _, rel := range rels {
		switch rel {
		case "alternate":
			if tag != atom.Link {
				continue
			}
			switch {
			case isActivityType(typ):
				p.ActivityPub = add(p.ActivityPub, h)
			case isFeedType(typ):
				p.Feeds = add(p.Feeds, h)
			}
		case "author":
			p.Authors = add(p.Authors, h)
		case "me":
			p.Me = add(p.Me, h)
		case "payment", "monetization":
			if tag == atom.Link && len(p.PaymentLinks) < maxLinks {
				kind := app.PaymentFEP0ea0
				if rel == "monetization" {
					kind = app.PaymentMonetization
				}
				p.PaymentLinks = append(p.PaymentLinks, app.PaymentLink{Kind: kind, Href: h, Name: strings.TrimSpace(attrs["title"])})
			}
		}
	}
}

// meta reads a <meta>; it returns og:title's content.
func (p *Page) meta(base *url.URL, attrs map[string]string) string {
	name := strings.ToLower(strings.TrimSpace(attrs["name"]))
	if name == "" {
		name = strings.ToLower(strings.TrimSpace(attrs["property"]))
	}
	content := strings.TrimSpace(attrs["content"])
	switch name {
	case "og:title":
		return content
	case "fediverse:creator":
		if h := handle(content); h != "" && len(p.Creators) < maxLinks {
			p.Creators = add(p.Creators, h)
		}
	case "monetization":
		// Web Monetization's first form: a payment pointer ($wallet.example/alice)
		// or a wallet address URL.
		if content != "" && len(p.PaymentLinks) < maxLinks {
			href := content
			if strings.HasPrefix(href, "$") {
				href = "https://" + strings.TrimPrefix(href, "$")
			}
			if u := resolve(base, href); u != nil {
				p.PaymentLinks = append(p.PaymentLinks, app.PaymentLink{Kind: app.PaymentMonetization, Href: u.String()})
			}
		}
	}
	return ""
}

func (p *Page) finish(title, og string) {
	t := og
	if t == "" {
		t = title
	}
	t = strings.Join(strings.Fields(t), " ")
	if r := []rune(t); len(r) > maxTitle {
		t = string(r[:maxTitle])
	}
	p.Title = t
}

// handle reads a fediverse:creator value: "@user@host" or "user@host".
func handle(s string) string {
	s = strings.TrimPrefix(strings.TrimSpace(s), "@")
	user, host, ok := strings.Cut(s, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(s[len(user)+1:], "@/ ?#") || strings.ContainsAny(user, "/ ?#:") {
		return ""
	}
	return user + "@" + strings.ToLower(host)
}

func isActivityType(t string) bool {
	mt, params, _ := strings.Cut(t, ";")
	mt = strings.TrimSpace(mt)
	return mt == "application/activity+json" ||
		mt == "application/ld+json" && strings.Contains(params, "activitystreams")
}

func isFeedType(t string) bool {
	switch strings.TrimSpace(strings.Split(t, ";")[0]) {
	case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/json+feed", "application/rdf+xml":
		return true
	}
	return false
}

// resolve makes href absolute against base; only http(s) links without
// credentials are kept.
func resolve(base *url.URL, href string) *url.URL {
	href = strings.TrimSpace(href)
	if href == "" {
		return nil
	}
	u, err := url.Parse(href)
	if err != nil {
		return nil
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil
	}
	u.Fragment = ""
	return u
}

func add(list []string, v string) []string {
	if len(list) >= maxLinks {
		return list
	}
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}
