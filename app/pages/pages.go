// Package pages holds the reads of Plaudit's public pages: the home
// page's most flattred things, the profile of a local user or of a
// remote actor known here, and the thing page. Each page is a few
// queries whatever it lists (never one per thing), and none fetches
// anything from another server: anonymous visitors must not make this
// server send requests.
package pages

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
)

// Store reads what the pages show (implemented by app/store's Users,
// Things, Blogs and RemoteActors).
type Store interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	RemoteActorByURI(ctx context.Context, uri string) (*app.RemoteActor, error)
	BlogsOfUser(ctx context.Context, userID int64) ([]app.Blog, error)
	CountedThingByURL(ctx context.Context, url, month string) (*app.CountedThing, error)
	CountedThingsOwnedBy(ctx context.Context, ownerURI, month string, limit int) ([]app.CountedThing, error)
	TopCountedThings(ctx context.Context, month string, limit int) ([]app.CountedThing, error)
}

// MaxThings bounds the things a profile lists.
const MaxThings = 50

// PaymentLinkName names the Plaudit payment link every local profile
// has (as its actor's FEP-0ea0 attachment does).
const PaymentLinkName = "Flattr on Plaudit"

// Service reads the public pages.
type Service struct {
	Store   Store
	BaseURL string           // e.g. https://plaudit.example
	Now     func() time.Time // nil is time.Now
}

// Profile is a local user's public page.
type Profile struct {
	User   *app.User
	Actor  string // the user's actor id
	Things []app.CountedThing
	// PaymentLinks are the ways to pay them: this server's flattr page
	// of their actor first, then the links their connected blogs publish.
	PaymentLinks []app.PaymentLink
	// Me are the addresses that are also them, for rel="me" links: their
	// other fediverse accounts and connected blogs.
	Me []string
}

// Local is the profile of the local user username, with their things
// and this month's counts: three queries.
func (s *Service) Local(ctx context.Context, username string) (*Profile, error) {
	key, err := app.NormalizeUsername(username)
	if err != nil {
		return nil, app.Errorf(app.ENOTFOUND, "no user %q here", username)
	}
	u, err := s.Store.UserByUsername(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("profile of %s: %w", key, err)
	}
	p := &Profile{User: u, Actor: s.BaseURL + "/users/" + u.Username}
	if p.Things, err = s.Store.CountedThingsOwnedBy(ctx, p.Actor, s.month(), MaxThings); err != nil {
		return nil, fmt.Errorf("things of %s: %w", key, err)
	}
	blogs, err := s.Store.BlogsOfUser(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("blogs of %s: %w", key, err)
	}
	p.PaymentLinks = []app.PaymentLink{{Kind: app.PaymentFEP0ea0, Name: PaymentLinkName, Href: s.BaseURL + "/flattr?url=" + url.QueryEscape(p.Actor)}}
	seen := map[string]bool{}
	addMe := func(u string) {
		if u != "" && !seen[u] && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
			seen[u] = true
			p.Me = append(p.Me, u)
		}
	}
	for _, a := range strings.Fields(u.AlsoKnownAs) {
		addMe(a)
	}
	for _, b := range blogs {
		addMe(b.URL)
		for _, l := range b.PaymentLinks {
			if l.Href != "" && !seen["pay "+l.Href] {
				seen["pay "+l.Href] = true
				p.PaymentLinks = append(p.PaymentLinks, l)
			}
		}
	}
	return p, nil
}

// RemoteProfile is the page of an actor of another server known here.
type RemoteProfile struct {
	Actor  *app.RemoteActor
	Things []app.CountedThing
}

// Remote is the page of the remote actor with id rawURL, as stored here
// (never fetched): two queries. An actor never seen here is
// app.ENOTFOUND.
func (s *Service) Remote(ctx context.Context, rawURL string) (*RemoteProfile, error) {
	uri, err := things.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(uri, s.BaseURL+"/") {
		return nil, app.Errorf(app.EINVALID, "%s is on this server: see its profile page", uri)
	}
	a, err := s.Store.RemoteActorByURI(ctx, uri)
	if err != nil {
		return nil, fmt.Errorf("remote actor %s: %w", uri, err)
	}
	if a.DeletedAt != nil {
		return nil, app.Errorf(app.ENOTFOUND, "%s was deleted", uri)
	}
	p := &RemoteProfile{Actor: a}
	if p.Things, err = s.Store.CountedThingsOwnedBy(ctx, a.URI, s.month(), MaxThings); err != nil {
		return nil, fmt.Errorf("things of %s: %w", uri, err)
	}
	return p, nil
}

// Thing is the stored thing behind rawURL (its id or its web page) with
// this month's counts, in one query; a thing never resolved here is
// app.ENOTFOUND.
func (s *Service) Thing(ctx context.Context, rawURL string) (*app.CountedThing, error) {
	u, err := things.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	return s.Store.CountedThingByURL(ctx, u, s.month())
}

// Top lists this month's most flattred things, at most limit, in one
// query.
func (s *Service) Top(ctx context.Context, limit int) ([]app.CountedThing, error) {
	list, err := s.Store.TopCountedThings(ctx, s.month(), limit)
	if err != nil {
		return nil, fmt.Errorf("top things: %w", err)
	}
	return list, nil
}

func (s *Service) month() string {
	if s.Now != nil {
		return app.MonthOf(s.Now())
	}
	return app.MonthOf(time.Now())
}
