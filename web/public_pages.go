package web

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/pages"
)

// PublicPages reads the public pages: profiles, things and the most
// flattred things (implemented by *pages.Service).
type PublicPages interface {
	Local(ctx context.Context, username string) (*pages.Profile, error)
	Remote(ctx context.Context, rawURL string) (*pages.RemoteProfile, error)
	Thing(ctx context.Context, rawURL string) (*app.CountedThing, error)
	Top(ctx context.Context, limit int) ([]app.CountedThing, error)
}

// homeThings is how many of this month's most flattred things the home
// page lists.
const homeThings = 10

// pageRoutes adds the pages of this feature: the page cache of the
// public pages, remote profiles and following from another server, the
// funder's settings and the creator's setup.
func (s *Server) pageRoutes(forms *gin.RouterGroup) {
	ttl := s.deps.PageCacheTTL
	if ttl == 0 {
		ttl = DefaultPageCacheTTL
	}
	s.pageCache = newPageCache(ttl)
	forms.GET("@:name/follow", s.followElsewhere)
	if s.deps.Pages != nil {
		forms.GET("profiles", s.remoteProfilePage)
	}
	s.settingsRoutes(forms)
	s.creatorSetupRoutes(forms)
}

// homePage is GET /: what Plaudit is, how to join, and this month's most
// flattred things.
func (s *Server) homePage(c *gin.Context) {
	s.publicPage(c, func(ctx context.Context) (string, gin.H, int, error) {
		data := gin.H{"Month": app.MonthOf(time.Now())}
		if s.deps.Pages != nil {
			top, err := s.deps.Pages.Top(ctx, homeThings)
			if err != nil {
				return "", nil, 0, err
			}
			data["Top"] = s.thingRows(top)
		}
		return "home.html", data, http.StatusOK, nil
	})
}

// thingRow is a thing listed on a public page.
type thingRow struct {
	app.CountedThing
	Page, FlattrURL string
}

func (s *Server) thingRows(list []app.CountedThing) []thingRow {
	out := make([]thingRow, len(list))
	for i := range list {
		out[i] = thingRow{CountedThing: list[i], Page: s.thingPageURL(&list[i].Thing), FlattrURL: flattrPath(list[i].URI)}
	}
	return out
}

// ownerPage is this server's page of a thing's owner: the profile of a
// local user, the remote profile page of anyone else.
func (s *Server) ownerPage(owner string) string {
	if owner == "" {
		return ""
	}
	if name, ok := s.localName(owner); ok {
		return "/@" + name
	}
	return "/profiles?url=" + url.QueryEscape(owner)
}

// localName is the username of a local actor id.
func (s *Server) localName(actor string) (string, bool) {
	prefix := s.deps.BaseURL + "/users/"
	if len(actor) > len(prefix) && actor[:len(prefix)] == prefix {
		return actor[len(prefix):], true
	}
	return "", false
}

// localProfilePage is the profile of a local user with their things and
// counts, payment links and rel="me" links.
func (s *Server) localProfilePage(c *gin.Context) {
	c.Header("Vary", "Accept")
	name := c.Param("name")
	s.publicPage(c, func(ctx context.Context) (string, gin.H, int, error) {
		p, err := s.deps.Pages.Local(ctx, name)
		if err != nil {
			return "", nil, 0, err
		}
		title := p.User.DisplayName
		if title == "" {
			title = p.User.Username
		}
		return "profile.html", gin.H{
			"Title": title, "Profile": p.User, "Actor": p.Actor, "Alternate": p.Actor, "Things": s.thingRows(p.Things),
			"PaymentLinks": p.PaymentLinks, "Me": p.Me, "FlattrURL": flattrPath(p.Actor),
			"ButtonURL": s.buttonURL(p.Actor), "Width": buttonWidth, "Height": buttonHeight,
		}, http.StatusOK, nil
	})
}

// remoteProfilePage is GET /profiles?url=<actor id>: an actor of another
// server known here, and their things flattred here. It never fetches
// the actor: an unknown one is a 404.
func (s *Server) remoteProfilePage(c *gin.Context) {
	raw := c.Query("url")
	s.publicPage(c, func(ctx context.Context) (string, gin.H, int, error) {
		if name, ok := s.localName(raw); ok {
			return "", nil, 0, app.Errorf(app.ENOTFOUND, "%s is on this server: its page is /@%s", raw, name)
		}
		p, err := s.deps.Pages.Remote(ctx, raw)
		if err != nil {
			return statusPage("remote_profile.html", gin.H{"Title": "Unknown profile"}, err)
		}
		title := p.Actor.Name
		if title == "" {
			title = p.Actor.PreferredUsername
		}
		return "remote_profile.html", gin.H{
			"Title": title, "Actor": p.Actor, "Things": s.thingRows(p.Things), "FlattrURL": flattrPath(p.Actor.URI),
		}, http.StatusOK, nil
	})
}

// followElsewhere is GET /@name/follow?server=: a visitor follows a local
// user from their own server, which asks them to confirm (Mastodon's
// /authorize_interaction).
func (s *Server) followElsewhere(c *gin.Context) {
	name, err := app.NormalizeUsername(c.Param("name"))
	if err != nil {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no user %q here", c.Param("name")))
		return
	}
	server, err := NormalizeServer(c.Query("server"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, server+"/authorize_interaction?uri="+url.QueryEscape("acct:"+name+"@"+s.deps.Domain))
}
