// Package autoflattr turns a funder's favourites on their home server
// (any server with a Mastodon API: Mastodon, GoToSocial, Akkoma, another
// Plaudit) into flattrs of weight 1 here: Plaudit registers as an OAuth
// client there, the funder approves read access to their favourites, and
// a periodic job reads them from where it stopped, within a monthly cap
// and a list of exceptions. Tokens are sealed at rest; unlinking revokes
// them on the home server.
package autoflattr

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
)

// Store persists links.
type Store interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	UserByID(ctx context.Context, id int64) (*app.User, error)
	InsertAutoFlattrLink(ctx context.Context, l *app.AutoFlattrLink) error
	AutoFlattrLinkByState(ctx context.Context, state string) (*app.AutoFlattrLink, error)
	ActivateAutoFlattrLink(ctx context.Context, id int64, sealed string) (bool, error)
	AutoFlattrLinks(ctx context.Context, userID int64) ([]app.AutoFlattrLink, error)
	DeleteAutoFlattrLink(ctx context.Context, userID, id int64) (bool, error)
	AutoFlattrSeen(ctx context.Context, linkID int64, statusURI string) (bool, error)
	MarkAutoFlattrSeen(ctx context.Context, linkID int64, statusURI, month, outcome string) (bool, error)
	AutoFlattredIn(ctx context.Context, linkID int64, month string) (int, error)
	// LinkedActors tells which of actorURIs are linked to a funder here
	// (a verified account claim first, else a link code), by actor.
	LinkedActors(ctx context.Context, actorURIs []string) (map[string]int64, error)
	// ActiveAutoFlattrLinksOf lists the active links of the users.
	ActiveAutoFlattrLinksOf(ctx context.Context, userIDs []int64) ([]app.AutoFlattrLink, error)
}

// Favourite is one favourite on the home server: the post's id (its
// ActivityPub id) and web address.
type Favourite struct {
	URI string
	URL string
}

// Home is the home server's client API (federation: OAuth 2 and the
// Mastodon API over HTTP).
type Home interface {
	RegisterApp(ctx context.Context, server, redirectURI string) (clientID, secret string, err error)
	AuthorizeURL(server, clientID, redirectURI, state, verifier string) string
	Exchange(ctx context.Context, server, clientID, secret, redirectURI, code, verifier string) (string, error)
	// Favourites reads one page of favourites, newest first; page "" is
	// the first; next is "" after the last.
	Favourites(ctx context.Context, server, token, page string) (favs []Favourite, next string, err error)
	Revoke(ctx context.Context, server, clientID, secret, token string) error
}

// Flattrs makes flattrs (app/flattrs.Service).
type Flattrs interface {
	Flattr(ctx context.Context, username string, r flattrs.Request) (*app.Flattr, *app.Activity, error)
	Current(ctx context.Context, username, thingURI string) (*app.Flattr, error)
}

// Deps are what the Service needs.
type Deps struct {
	Store   Store
	Home    Home
	Flattrs Flattrs
	Sealer  *Sealer
	// Callback is where home servers send the funder back
	// (…/autoflattr/callback).
	Callback string
	// Pages is how many pages of favourites one poll reads at most; 0
	// means 5.
	Pages  int
	Logger *slog.Logger
	Now    func() time.Time
}

// Service links home accounts and flattrs their favourites.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Pages == 0 {
		d.Pages = 5
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Scope is all Plaudit asks of a home server.
const Scope = "read:favourites"

// Start begins linking username's account on server: Plaudit registers
// as a client there and returns the address where the funder approves it
// (authorization code with PKCE). cap (1–1000) bounds the flattrs a
// month; exceptions are hosts whose posts are never flattred.
func (s *Service) Start(ctx context.Context, username, server string, cap int, exceptions []string) (string, *app.AutoFlattrLink, error) {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") {
		return "", nil, app.Errorf(app.EINVALID, "the server is its address, like https://mastodon.social, not %q", server)
	}
	if cap < 1 || cap > 1000 {
		return "", nil, app.Errorf(app.EINVALID, "the monthly cap is 1 to 1000 flattrs, not %d", cap)
	}
	user, err := s.d.Store.UserByUsername(ctx, username)
	if err != nil {
		return "", nil, err
	}
	base := u.Scheme + "://" + u.Host
	clientID, secret, err := s.d.Home.RegisterApp(ctx, base, s.d.Callback)
	if err != nil {
		return "", nil, &app.Error{Code: app.EUNAVAILABLE, Message: base + " did not register Plaudit as an app", Err: err}
	}
	for i, e := range exceptions {
		exceptions[i] = strings.ToLower(strings.TrimSpace(e))
	}
	l := &app.AutoFlattrLink{UserID: user.ID, Server: base, ClientID: clientID, ClientSecret: secret, Verifier: randomString(48),
		OAuthState: randomString(24), State: app.AutoFlattrPending, Cap: cap, Exceptions: exceptions, CreatedAt: s.d.Now().UTC()}
	if err := s.d.Store.InsertAutoFlattrLink(ctx, l); err != nil {
		return "", nil, err
	}
	return s.d.Home.AuthorizeURL(base, clientID, s.d.Callback, l.OAuthState, l.Verifier), l, nil
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}

// Callback finishes a link when the home server sends the funder back
// with a code: it is exchanged (with the PKCE verifier) for a token,
// sealed and kept.
func (s *Service) Callback(ctx context.Context, state, code string) (*app.AutoFlattrLink, error) {
	if state == "" || code == "" {
		return nil, app.Errorf(app.EINVALID, "the home server sent no code: was the link refused?")
	}
	l, err := s.d.Store.AutoFlattrLinkByState(ctx, state)
	if err != nil {
		return nil, err
	}
	token, err := s.d.Home.Exchange(ctx, l.Server, l.ClientID, l.ClientSecret, s.d.Callback, code, l.Verifier)
	if err != nil {
		return nil, &app.Error{Code: app.EUNAVAILABLE, Message: l.Server + " gave no token for that code", Err: err}
	}
	if ok, err := s.d.Store.ActivateAutoFlattrLink(ctx, l.ID, s.d.Sealer.Seal(token)); err != nil || !ok {
		return nil, fmt.Errorf("activate link %d: %w", l.ID, err)
	}
	l.State = app.AutoFlattrActive
	return l, nil
}

// Links lists username's links.
func (s *Service) Links(ctx context.Context, username string) ([]app.AutoFlattrLink, error) {
	u, err := s.d.Store.UserByUsername(ctx, username)
	if err != nil {
		return nil, err
	}
	return s.d.Store.AutoFlattrLinks(ctx, u.ID)
}

// Unlink revokes the link's token on the home server and forgets it.
func (s *Service) Unlink(ctx context.Context, username string, id int64) error {
	links, err := s.Links(ctx, username)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(links, func(l app.AutoFlattrLink) bool { return l.ID == id })
	if i < 0 {
		return app.Errorf(app.ENOTFOUND, "no auto-flattr link %d", id)
	}
	l := links[i]
	if l.TokenSealed != "" {
		token, err := s.d.Sealer.Open(l.TokenSealed)
		if err != nil {
			return err
		}
		if err := s.d.Home.Revoke(ctx, l.Server, l.ClientID, l.ClientSecret, token); err != nil {
			return &app.Error{Code: app.EUNAVAILABLE, Message: l.Server + " did not revoke the token; try again", Err: err}
		}
	}
	_, err = s.d.Store.DeleteAutoFlattrLink(ctx, l.UserID, l.ID)
	return err
}

// Poll reads every active link's new favourites and flattrs them: the
// body of the periodic job. It returns how many flattrs it made.
func (s *Service) Poll(ctx context.Context) (int, error) {
	links, err := s.d.Store.AutoFlattrLinks(ctx, 0)
	if err != nil {
		return 0, fmt.Errorf("auto-flattr: %w", err)
	}
	made := 0
	for i := range links {
		n, err := s.poll(ctx, &links[i])
		made += n
		if err != nil {
			s.d.Logger.WarnContext(ctx, "auto-flattr: a home server could not be read", "server", links[i].Server, "link", links[i].ID, "err", err)
		}
	}
	return made, nil
}

// poll reads one link's favourites, newest first, page by page, until a
// page holds nothing new (or Pages pages), and flattrs the new ones.
func (s *Service) poll(ctx context.Context, l *app.AutoFlattrLink) (int, error) {
	user, err := s.d.Store.UserByID(ctx, l.UserID)
	if err != nil {
		return 0, err
	}
	token, err := s.d.Sealer.Open(l.TokenSealed)
	if err != nil {
		return 0, err
	}
	month := app.MonthOf(s.d.Now())
	made, page := 0, ""
	for range s.d.Pages {
		favs, next, err := s.d.Home.Favourites(ctx, l.Server, token, page)
		if err != nil {
			return made, err
		}
		fresh := 0
		for _, f := range favs {
			done, err := s.one(ctx, l, user.Username, month, f)
			if err != nil {
				return made, err
			}
			if done != "" {
				fresh++
			}
			if done == "flattred" {
				made++
			}
		}
		if fresh == 0 || next == "" {
			return made, nil
		}
		page = next
	}
	return made, nil
}

// one handles one favourite; it returns what it did ("" when it was seen
// before).
func (s *Service) one(ctx context.Context, l *app.AutoFlattrLink, username, month string, f Favourite) (string, error) {
	if f.URI == "" {
		return "", nil
	}
	seen, err := s.d.Store.AutoFlattrSeen(ctx, l.ID, f.URI)
	if err != nil || seen {
		return "", err
	}
	outcome := "flattred"
	host := ""
	if u, err := url.Parse(f.URI); err == nil {
		host = strings.ToLower(u.Host)
	}
	n, err := s.d.Store.AutoFlattredIn(ctx, l.ID, month)
	switch {
	case err != nil:
		return "", err
	case slices.Contains(l.Exceptions, host):
		outcome = "exception"
	case n >= l.Cap:
		outcome = "over the cap"
	default:
		if _, err := s.d.Flattrs.Current(ctx, username, f.URI); err == nil {
			outcome = "flattred before" // by hand, with a weight of the funder's: kept
			break
		} else if app.ErrorCode(err) != app.ENOTFOUND {
			return "", err
		}
		target := f.URI
		if _, _, err := s.d.Flattrs.Flattr(ctx, username, flattrs.Request{URL: target, Weight: 1}); err != nil {
			code := app.ErrorCode(err)
			if code != app.ECONFLICT && code != app.ENOTFOUND && code != app.EINVALID && code != app.EFORBIDDEN {
				return "", err // ours: tried again next time
			}
			outcome = "not flattrable: " + app.ErrorMessage(err)
		}
	}
	if _, err := s.d.Store.MarkAutoFlattrSeen(ctx, l.ID, f.URI, month, outcome); err != nil {
		return "", err
	}
	return outcome, nil
}
