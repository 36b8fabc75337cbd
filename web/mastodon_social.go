package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/social"
	"github.com/plaudit/plaudit/web/sanitize"
)

// MastodonSocial is what the Mastodon client API reads beyond statuses
// (implemented by app/social.Service): the home timeline, notifications,
// and what Plaudit knows of actors, to show them as accounts.
type MastodonSocial interface {
	Home(ctx context.Context, username string, p app.Page) ([]app.TimelineEntry, error)
	Notifications(ctx context.Context, username string, types []string, p app.Page) ([]app.Notification, map[string]*app.Thing, error)
	Cards(ctx context.Context, uris []string) (map[string]app.ActorCard, error)
	Account(ctx context.Context, id int64) (app.ActorCard, error)
	Lookup(ctx context.Context, acct string, resolve bool) (app.ActorCard, error)
	AccountStatuses(ctx context.Context, username string, card app.ActorCard, p app.Page) ([]app.TimelineEntry, error)
	Relationship(ctx context.Context, username, uri string) (app.Relationship, error)
	Follow(ctx context.Context, username, uri string) (app.Relationship, error)
	Unfollow(ctx context.Context, username, uri string) (app.Relationship, error)
	PostStatus(ctx context.Context, username string, st social.Status) (*app.TimelineEntry, error)
	DefaultWeight(ctx context.Context, username string) (int, error)
	SetDefaultWeight(ctx context.Context, username string, weight int) error
}

// socialRoutes adds the home timeline and notifications when
// Deps.Mastodon is set, and tells whether it did.
func (s *Server) socialRoutes(v1 *gin.RouterGroup) bool {
	if s.deps.Mastodon == nil || s.deps.Favourites == nil {
		return false
	}
	v1.GET("/timelines/home", s.requireScope("read:statuses"), s.homeTimeline)
	v1.GET("/notifications", s.requireScope("read:notifications"), s.notifications)
	s.accountRoutes(v1)
	return true
}

// cardAccount is the account of an actor as Plaudit knows it.
func (s *Server) cardAccount(card app.ActorCard, fallback accountJSON) accountJSON {
	switch {
	case card.User != nil:
		a := s.localAccount(card.User)
		a.FollowersCount, a.FollowingCount, a.StatusesCount = int(card.Followers), int(card.Following), int(card.Statuses)
		return a
	case card.Remote != nil:
		return s.remoteAccount(card.Remote)
	}
	return fallback
}

// remoteAccount is a remote actor as the Mastodon API shows it.
func (s *Server) remoteAccount(r *app.RemoteActor) accountJSON {
	name := r.PreferredUsername
	if name == "" {
		name = "unknown"
	}
	page := r.URL
	if page == "" {
		page = r.URI
	}
	avatar := r.IconURL
	if avatar == "" {
		avatar = s.deps.BaseURL + "/static/avatar.png"
	}
	display := r.Name
	if display == "" {
		display = name
	}
	return accountJSON{
		ID: strconv.FormatInt(social.RemoteAccountBase+r.ID, 10), Username: name, Acct: name + "@" + r.Host, URL: page, URI: r.URI,
		DisplayName: display, Note: string(sanitize.HTML(r.Summary)), Avatar: avatar, AvatarStatic: avatar,
		Header: s.deps.BaseURL + "/static/header.png", HeaderStatic: s.deps.BaseURL + "/static/header.png",
		Locked: r.ManuallyApprovesFollowers, Bot: r.Type == "Application" || r.Type == "Service", Group: r.Type == "Group",
		Fields: []any{}, Emojis: []any{}, Roles: []any{}, CreatedAt: formatTime(r.CreatedAt.UTC().Truncate(24 * time.Hour)),
	}
}

// cards loads what Plaudit knows of the actors uris.
func (s *Server) cards(c *gin.Context, uris []string) (map[string]app.ActorCard, bool) {
	cards, err := s.deps.Mastodon.Cards(c.Request.Context(), uris)
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	return cards, true
}

// myFlattrs are the signed-in user's live flattrs this month, by thing.
func (s *Server) myFlattrs(c *gin.Context) (map[string]*app.Flattr, bool) {
	list, err := s.deps.Favourites.List(c.Request.Context(), currentUser(c).Username, "")
	if err != nil {
		s.fail(c, err)
		return nil, false
	}
	out := make(map[string]*app.Flattr, len(list))
	for i := range list {
		if list[i].Live() {
			out[list[i].ThingURI] = &list[i].Flattr
		}
	}
	return out, true
}

// entryStatus is a timeline entry as a status.
func (s *Server) entryStatus(e *app.TimelineEntry, f *app.Flattr, cards map[string]app.ActorCard) statusJSON {
	st := s.toStatus(&e.Thing, f)
	st.Account = s.cardAccount(cards[e.Thing.OwnerURI], st.Account)
	if strings.TrimSpace(e.Content) != "" {
		st.Content = string(sanitize.HTML(e.Content))
	}
	st.SpoilerText, st.Sensitive = e.Summary, e.Sensitive || e.Summary != ""
	if !e.PublishedAt.IsZero() {
		st.CreatedAt = formatTime(e.PublishedAt)
	}
	return st
}

// homeTimeline is GET /api/v1/timelines/home: the user's own posts and
// those of the actors they follow, newest first, paged by Link header.
func (s *Server) homeTimeline(c *gin.Context) {
	list, err := s.deps.Mastodon.Home(c.Request.Context(), currentUser(c).Username, mastodonPage(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.entryStatuses(c, list)
}

// notificationJSON is Mastodon's Notification entity; a favourite (a
// flattr) carries its weight and month.
type notificationJSON struct {
	ID            string      `json:"id"`
	Type          string      `json:"type"`
	GroupKey      string      `json:"group_key"`
	CreatedAt     string      `json:"created_at"`
	Account       accountJSON `json:"account"`
	Status        *statusJSON `json:"status,omitempty"`
	PlauditWeight int         `json:"plaudit_weight,omitempty"`
	PlauditMonth  string      `json:"plaudit_month,omitempty"`
}

// notificationTypes reads types[] and exclude_types[] (also without the
// brackets) into the types to list, nil for all.
func notificationTypes(c *gin.Context) []string {
	types := append(c.QueryArray("types[]"), c.QueryArray("types")...)
	exclude := append(c.QueryArray("exclude_types[]"), c.QueryArray("exclude_types")...)
	if len(types) == 0 && len(exclude) == 0 {
		return nil
	}
	if len(types) == 0 {
		types = []string{app.NotifyFavourite, app.NotifyFollow, app.NotifyFollowRequest}
	}
	out := []string{}
	for _, t := range types {
		skip := false
		for _, x := range exclude {
			skip = skip || x == t
		}
		if !skip {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		out = []string{"none"} // nothing asked for Plaudit keeps
	}
	return out
}

// notifications is GET /api/v1/notifications: flattrs of the user's
// things as favourites, and follows, newest first, paged by Link header.
func (s *Server) notifications(c *gin.Context) {
	list, things, err := s.deps.Mastodon.Notifications(c.Request.Context(), currentUser(c).Username, notificationTypes(c), mastodonPage(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	uris := make([]string, 0, 2*len(list))
	for _, n := range list {
		uris = append(uris, n.AccountURI)
		if t := things[n.ThingURI]; t != nil {
			uris = append(uris, t.OwnerURI)
		}
	}
	cards, ok := s.cards(c, uris)
	if !ok {
		return
	}
	out := make([]notificationJSON, len(list))
	for i, n := range list {
		id := strconv.FormatInt(n.ID, 10)
		out[i] = notificationJSON{
			ID: id, Type: n.Type, GroupKey: "ungrouped-" + id, CreatedAt: formatTime(n.CreatedAt),
			Account: s.cardAccount(cards[n.AccountURI], s.uriAccount(n.AccountURI)),
		}
		if n.Type == app.NotifyFavourite {
			out[i].PlauditWeight, out[i].PlauditMonth = n.Weight, n.Month
			if t := things[n.ThingURI]; t != nil {
				st := s.toStatus(t, nil)
				st.Account = s.cardAccount(cards[t.OwnerURI], st.Account)
				st.FavouritesCount = 1
				out[i].Status = &st
			}
		}
	}
	if len(list) > 0 {
		s.setLinkHeader(c, list[0].ID, list[len(list)-1].ID, len(list))
	}
	c.JSON(http.StatusOK, out)
}

// uriAccount is an actor Plaudit has no copy of, as well as its id tells.
func (s *Server) uriAccount(uri string) accountJSON {
	return s.ownerAccount(&app.Thing{OwnerURI: uri, Local: false})
}

// withOwners shows each status's account as Plaudit knows its actor
// (with the account id GET /api/v1/accounts/:id answers), when it does.
func (s *Server) withOwners(c *gin.Context, sts ...statusJSON) []statusJSON {
	if s.deps.Mastodon == nil || len(sts) == 0 {
		return sts
	}
	uris := make([]string, len(sts))
	for i := range sts {
		uris[i] = sts[i].ownerURI
	}
	cards, err := s.deps.Mastodon.Cards(c.Request.Context(), uris)
	if err != nil {
		logger(c).Warn("accounts of statuses", "err", err)
		return sts
	}
	for i := range sts {
		sts[i].Account = s.cardAccount(cards[sts[i].ownerURI], sts[i].Account)
	}
	return sts
}
