// Package claims checks the remote side of ownership claims
// (app/claims.Inspector): whether an actor on another server or a web
// page links back to the creator's Plaudit actor. Everything is fetched
// anew through the SSRF-guarded client: a stored copy could be stale, and
// a claim is only as good as what the other side says now.
package claims

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/claims"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/pages"
	"github.com/plaudit/plaudit/federation/transport"
)

// Actors fetches remote actors (implemented by *dereference.Fetcher).
type Actors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// Inspector implements claims.Inspector.
type Inspector struct {
	Actors Actors
	Client *transport.Client
}

const acceptAny = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams", text/html;q=0.8`

// Inspect fetches rawURL: an actor is checked for alsoKnownAs or a
// rel="me" profile field naming me; a web page for fediverse:creator or
// a rel="me" link naming me.
func (in *Inspector) Inspect(ctx context.Context, rawURL string, me claims.Me) (claims.Side, error) {
	resp, err := in.Client.GetWith(ctx, rawURL, transport.GetOptions{Accept: acceptAny})
	if err != nil {
		return claims.Side{}, dereference.FetchFailure("page", rawURL, err)
	}
	ct := strings.ToLower(resp.Header.Get("Content-Type"))
	if strings.Contains(ct, "json") {
		var probe struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal(resp.Body, &probe); err != nil || probe.ID == "" {
			return claims.Side{}, app.Errorf(app.EINVALID, "%s answered JSON that is not an ActivityPub document", rawURL)
		}
		// The actor as its own id serves it, fetched anew.
		a, err := in.Actors.Actor(ctx, probe.ID, true)
		if err != nil {
			return claims.Side{}, fmt.Errorf("claim %s: %w", rawURL, err)
		}
		return claims.Side{Kind: app.ClaimActor, ID: a.URI, LinksBack: ActorLinksTo(a, me)}, nil
	}
	if !strings.Contains(ct, "html") {
		return claims.Side{}, app.Errorf(app.EINVALID, "%s is neither an actor nor a web page (it is %s)", rawURL, ct)
	}
	base, err := url.Parse(resp.FinalURL)
	if err != nil {
		return claims.Side{}, app.Errorf(app.EINVALID, "%s is not a URL", resp.FinalURL)
	}
	p := pages.Parse(base, strings.NewReader(string(resp.Body)))
	return claims.Side{Kind: app.ClaimSite, ID: resp.FinalURL, LinksBack: PageLinksTo(p, me)}, nil
}

// ActorLinksTo tells whether a names me: in alsoKnownAs, or in a profile
// field (PropertyValue) holding a link with rel="me" to my actor or
// profile page.
func ActorLinksTo(a *app.RemoteActor, me claims.Me) bool {
	for _, aka := range strings.Fields(a.AlsoKnownAs) {
		if as2.SameID(aka, me.ActorURI) {
			return true
		}
	}
	doc, err := as2.ParseActor([]byte(a.Document))
	if err != nil {
		return false
	}
	for _, at := range doc.Attachments {
		if at.Type == "PropertyValue" && fieldLinksTo(at.Value, me) {
			return true
		}
	}
	return false
}

// fieldLinksTo tells whether a profile field's HTML value has an <a
// rel="me"> to me.
func fieldLinksTo(value string, me claims.Me) bool {
	z := html.NewTokenizer(strings.NewReader(value))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			if string(name) != "a" || !hasAttr {
				continue
			}
			var href, rel string
			for more := true; more; {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "href":
					href = string(v)
				case "rel":
					rel = string(v)
				}
			}
			if hasRel(rel, "me") && names(href, me) {
				return true
			}
		}
	}
}

// PageLinksTo tells whether a page names me: fediverse:creator with my
// handle, or a rel="me" link to my actor or profile page.
func PageLinksTo(p *pages.Page, me claims.Me) bool {
	for _, c := range p.Creators {
		if strings.EqualFold(c, me.Acct) {
			return true
		}
	}
	for _, l := range p.Me {
		if names(l, me) {
			return true
		}
	}
	return false
}

func names(href string, me claims.Me) bool {
	return as2.SameID(href, me.ActorURI) || as2.SameID(href, me.ProfileURL)
}

func hasRel(rel, want string) bool {
	for _, r := range strings.Fields(strings.ToLower(rel)) {
		if r == want {
			return true
		}
	}
	return false
}

// PeerChecker checks a claim made on another Plaudit server of an account
// this instance holds escrow for (app/escrow.ClaimChecker): both actors
// are fetched anew; the claimant must name the account in alsoKnownAs,
// and the account must link back to the claimant.
type PeerChecker struct {
	Actors    Actors
	Inspector *Inspector
}

// ClaimHolds implements app/escrow.ClaimChecker.
func (p *PeerChecker) ClaimHolds(ctx context.Context, claimant, subject string) (bool, string, error) {
	a, err := p.Actors.Actor(ctx, claimant, true)
	if err != nil {
		return false, "", fmt.Errorf("claimant %s: %w", claimant, err)
	}
	if !slices.Contains(strings.Fields(a.AlsoKnownAs), subject) {
		return false, claimant + " does not name " + subject + " in its alsoKnownAs", nil
	}
	me := claims.Me{ActorURI: a.URI, ProfileURL: a.URL}
	if a.PreferredUsername != "" {
		me.Acct = a.PreferredUsername + "@" + a.Host
	}
	side, err := p.Inspector.Inspect(ctx, subject, me)
	if err != nil {
		return false, "", err
	}
	switch {
	case side.Kind != app.ClaimActor || strings.TrimSuffix(side.ID, "/") != strings.TrimSuffix(subject, "/"):
		return false, subject + " is not that actor", nil
	case !side.LinksBack:
		return false, subject + " does not link back to " + claimant, nil
	}
	return true, "", nil
}
