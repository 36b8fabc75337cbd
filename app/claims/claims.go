// Package claims holds the use cases of ownership claims: a creator
// proves that an actor on another server, a blog or a web page is theirs
// by a link each way, which Plaudit checks by fetching both sides. A
// verified claim makes the claimed actor's or site's things the
// creator's; claims are checked again whenever asked (before money is
// released), and a failed check withdraws them.
package claims

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
)

// Store persists claims and the links a user's actor publishes.
type Store interface {
	InsertClaim(ctx context.Context, c *app.Claim) error
	SaveClaimCheck(ctx context.Context, c *app.Claim) error
	ClaimByID(ctx context.Context, id int64) (*app.Claim, error)
	ClaimsOfUser(ctx context.Context, userID int64) ([]app.Claim, error)
	DeleteClaim(ctx context.Context, userID, id int64) error
	VerifiedActorClaim(ctx context.Context, actorURI string) (*app.Claim, error)
	VerifiedSiteClaims(ctx context.Context, host string) ([]app.Claim, error)
	SetUserLinks(ctx context.Context, userID int64, alsoKnownAs, attributionDomains []string) error
	OwnClaimedThings(ctx context.Context, fromActor, prefix string, covered func(string) bool, ownerURI string) (int64, error)
	DisownClaimedThings(ctx context.Context, ownerURI, host string, covered func(string) bool) (int64, error)
}

// Users finds local users.
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	UserByID(ctx context.Context, id int64) (*app.User, error)
}

// Side is what the remote side of a claim says about the creator's
// actor, as fetched just now.
type Side struct {
	// Kind is app.ClaimActor when the address is an actor, app.ClaimSite
	// when it is a web page.
	Kind string
	// ID is the actor's id, or the page's address after redirects.
	ID string
	// LinksBack tells whether it links to the creator's actor: an actor
	// in alsoKnownAs or in a profile field link with rel="me"; a page
	// with fediverse:creator or a rel="me" link.
	LinksBack bool
}

// Inspector fetches the remote side of a claim (implemented by
// federation/claims). me names the creator's actor.
type Inspector interface {
	Inspect(ctx context.Context, rawURL string, me Me) (Side, error)
}

// Me is how a creator's actor may be named by the other side.
type Me struct {
	ActorURI   string // https://plaudit.example/users/carol
	ProfileURL string // https://plaudit.example/@carol
	Acct       string // carol@plaudit.example
}

// Addresses names local actors (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
	Profile(username string) string
	Host() string
	IsLocal(uri string) bool
}

// Deps are what the Service needs.
type Deps struct {
	Tx        app.Transactor
	Store     Store
	Users     Users
	Inspector Inspector
	URLs      Addresses
	Now       func() time.Time
}

// Service runs the claim use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	return &Service{d: d}
}

// Create records username's claim of rawURL (an actor on another server,
// or a page of a blog or site) and checks it at once. The creator's actor
// publishes its side of the claim from now on: the claimed actor in its
// alsoKnownAs, or the site's host in its attributionDomains. The claim is
// returned whatever the check found: pending until both sides link,
// with a message naming the missing side.
func (s *Service) Create(ctx context.Context, username, rawURL string) (*app.Claim, error) {
	u, err := things.CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	if s.d.URLs.IsLocal(u) {
		return nil, app.Errorf(app.EINVALID, "%s is on this server: claim what you published elsewhere", u)
	}
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, fmt.Errorf("claim of %s: %w", username, err)
	}
	me := s.me(user)
	side, err := s.d.Inspector.Inspect(ctx, u, me)
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", u, err)
	}
	c := &app.Claim{UserID: user.ID, ActorURI: me.ActorURI, Kind: side.Kind, URL: u, State: app.ClaimPending}
	switch side.Kind {
	case app.ClaimActor:
		c.Subject, c.URL = side.ID, side.ID
	case app.ClaimSite:
		c.Subject = SitePrefix(side.ID)
	default:
		return nil, app.Errorf(app.EINVALID, "%s is neither an actor nor a web page", u)
	}
	c.Host = hostOf(c.Subject)
	if c.Host == "" || s.d.URLs.IsLocal(c.Subject) {
		return nil, app.Errorf(app.EINVALID, "%s cannot be claimed", u)
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.InsertClaim(ctx, c); err != nil {
			return err
		}
		aka, domains := publishedLinks(user, c, true)
		return s.d.Store.SetUserLinks(ctx, user.ID, aka, domains)
	})
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", u, err)
	}
	user.AlsoKnownAs, user.AttributionDomains = joinLinks(publishedLinks(user, c, true))
	if err := s.judge(ctx, c, user, side); err != nil {
		return nil, err
	}
	return c, nil
}

// List returns username's claims.
func (s *Service) List(ctx context.Context, username string) ([]app.Claim, error) {
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.d.Store.ClaimsOfUser(ctx, user.ID)
}

// Verify checks username's claim id again, fetching both sides. A claim
// that does not hold is app.EINVALID with the message naming the missing
// side (the claim is kept, refused, to be verified again).
func (s *Service) Verify(ctx context.Context, username string, id int64) (*app.Claim, error) {
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	c, err := s.d.Store.ClaimByID(ctx, id)
	if err != nil || c.UserID != user.ID {
		return nil, app.Errorf(app.ENOTFOUND, "you have no claim %d", id)
	}
	return s.reverify(ctx, c, user)
}

// Reverify checks claim id again, whoever made it: call it before
// trusting a claim with money. It returns the claim as now checked, and
// app.EINVALID when it no longer holds.
func (s *Service) Reverify(ctx context.Context, id int64) (*app.Claim, error) {
	c, err := s.d.Store.ClaimByID(ctx, id)
	if err != nil {
		return nil, err
	}
	user, err := s.d.Users.UserByID(ctx, c.UserID)
	if err != nil {
		return nil, fmt.Errorf("reverify claim %d: %w", id, err)
	}
	return s.reverify(ctx, c, user)
}

func (s *Service) reverify(ctx context.Context, c *app.Claim, user *app.User) (*app.Claim, error) {
	side, err := s.d.Inspector.Inspect(ctx, c.URL, s.me(user))
	if err != nil {
		return nil, fmt.Errorf("verify claim %d: %w", c.ID, err)
	}
	if err := s.judge(ctx, c, user, side); err != nil {
		return nil, err
	}
	if !c.Verified() {
		return c, app.Errorf(app.EINVALID, "%s", c.Message)
	}
	return c, nil
}

// Delete withdraws username's claim id: its side is no longer published.
func (s *Service) Delete(ctx context.Context, username string, id int64) error {
	user, err := s.d.Users.UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	c, err := s.d.Store.ClaimByID(ctx, id)
	if err != nil || c.UserID != user.ID {
		return app.Errorf(app.ENOTFOUND, "you have no claim %d", id)
	}
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.DeleteClaim(ctx, user.ID, id); err != nil {
			return err
		}
		if c.Verified() {
			if err := s.disown(ctx, c); err != nil {
				return err
			}
		}
		rest, err := s.d.Store.ClaimsOfUser(ctx, user.ID)
		if err != nil {
			return err
		}
		for _, o := range rest {
			if o.Kind == c.Kind && (o.Subject == c.Subject || c.Kind == app.ClaimSite && o.Host == c.Host) {
				return nil // another claim still publishes this link
			}
		}
		aka, domains := publishedLinks(user, c, false)
		return s.d.Store.SetUserLinks(ctx, user.ID, aka, domains)
	})
}

// judge decides a claim from both sides and stores the outcome; a
// verified claim makes the claimed things the creator's.
func (s *Service) judge(ctx context.Context, c *app.Claim, user *app.User, side Side) error {
	now := s.d.Now().UTC()
	c.CheckedAt = &now
	was := c.Verified()
	c.Message = missingSide(c, user, side)
	if c.Message == "" {
		c.State = app.ClaimVerified
		if c.VerifiedAt == nil {
			c.VerifiedAt = &now
		}
	} else {
		c.State, c.VerifiedAt = app.ClaimRefused, nil
	}
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.SaveClaimCheck(ctx, c); err != nil {
			return err
		}
		if !c.Verified() {
			if was {
				return s.disown(ctx, c)
			}
			return nil
		}
		from, prefix := "", ""
		if c.Kind == app.ClaimActor {
			from = c.Subject
		} else {
			prefix = c.Subject
		}
		_, err := s.d.Store.OwnClaimedThings(ctx, from, prefix, func(u string) bool { return Covers(prefix, u) }, c.ActorURI)
		return err
	})
}

// disown withdraws what a claim that no longer holds gave its creator:
// the things it covers are no longer confirmed theirs.
func (s *Service) disown(ctx context.Context, c *app.Claim) error {
	var covered func(string) bool
	if c.Kind == app.ClaimSite {
		covered = func(u string) bool { return Covers(c.Subject, u) }
	}
	_, err := s.d.Store.DisownClaimedThings(ctx, c.ActorURI, c.Host, covered)
	return err
}

// missingSide says which link of a claim is missing, or "" when both
// are there.
func missingSide(c *app.Claim, user *app.User, side Side) string {
	var ours bool
	var theirs string
	switch c.Kind {
	case app.ClaimActor:
		ours = slices.Contains(strings.Fields(user.AlsoKnownAs), c.Subject)
		theirs = fmt.Sprintf("%s does not link back to %s: add it to the actor's alsoKnownAs (an alias), or add a profile field linking to it with rel=\"me\"", c.Subject, c.ActorURI)
	default:
		ours = slices.Contains(strings.Fields(user.AttributionDomains), c.Host)
		theirs = fmt.Sprintf("%s does not link back to %s: add <meta name=\"fediverse:creator\" content=\"@%s\"> or a link to it with rel=\"me\" to the page", c.URL, c.ActorURI, acctOf(c.ActorURI, user.Username))
	}
	switch {
	case c.Kind == app.ClaimActor && side.Kind != app.ClaimActor, c.Kind == app.ClaimSite && side.Kind != app.ClaimSite:
		return fmt.Sprintf("%s is no longer a %s", c.URL, map[string]string{app.ClaimActor: "actor", app.ClaimSite: "web page"}[c.Kind])
	case c.Kind == app.ClaimActor && !as2SameID(side.ID, c.Subject):
		return fmt.Sprintf("%s now answers as %s", c.URL, side.ID)
	case !ours && !side.LinksBack:
		return "neither side links to the other: " + theirs + "; and your actor must name it (" + ourSide(c) + ")"
	case !ours:
		return fmt.Sprintf("your actor %s does not name %s (%s): delete this claim and make it again", c.ActorURI, c.Subject, ourSide(c))
	case !side.LinksBack:
		return theirs
	}
	return ""
}

func ourSide(c *app.Claim) string {
	if c.Kind == app.ClaimActor {
		return "in alsoKnownAs"
	}
	return "its host " + c.Host + " in attributionDomains"
}

// publishedLinks are the aliases and attribution domains user's actor
// publishes once claim c is added (add) or withdrawn.
func publishedLinks(user *app.User, c *app.Claim, add bool) (aka, domains []string) {
	aka, domains = strings.Fields(user.AlsoKnownAs), strings.Fields(user.AttributionDomains)
	if c.Kind == app.ClaimActor {
		aka = toggle(aka, c.Subject, add)
	} else {
		domains = toggle(domains, c.Host, add)
	}
	return aka, domains
}

func joinLinks(aka, domains []string) (string, string) {
	return strings.Join(aka, " "), strings.Join(domains, " ")
}

func toggle(list []string, v string, add bool) []string {
	i := slices.Index(list, v)
	switch {
	case add && i < 0:
		return append(list, v)
	case !add && i >= 0:
		return slices.Delete(list, i, i+1)
	}
	return list
}

func (s *Service) me(user *app.User) Me {
	return Me{ActorURI: s.d.URLs.Actor(user.Username), ProfileURL: s.d.URLs.Profile(user.Username), Acct: user.Username + "@" + s.d.URLs.Host()}
}

// SitePrefix is the URL prefix a claim of the page at rawURL covers: the
// page's address without query or fragment, and without a trailing
// slash, so that https://blog.example/ covers the whole site and
// https://host/@eve covers https://host/@eve and what is below it.
func SitePrefix(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return strings.TrimSuffix(u.String(), "/")
}

// Covers tells whether a site claim's prefix covers the address rawURL.
func Covers(prefix, rawURL string) bool {
	if prefix == "" || rawURL == "" {
		return false
	}
	return rawURL == prefix || rawURL == prefix+"/" || strings.HasPrefix(rawURL, prefix+"/") ||
		strings.HasPrefix(rawURL, prefix+"?") && !strings.Contains(prefix[len(schemeOf(prefix)):], "/")
}

func schemeOf(u string) string {
	if i := strings.Index(u, "://"); i >= 0 {
		return u[:i+3]
	}
	return ""
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func acctOf(actorURI, username string) string { return username + "@" + hostOf(actorURI) }

// as2SameID compares ids as ActivityPub does, ignoring a trailing slash;
// app packages do not import the JSON-LD package.
func as2SameID(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }
