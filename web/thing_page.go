package web

import (
	"context"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// thingPageURL is the public page of t on this server.
func (s *Server) thingPageURL(t *app.Thing) string {
	return s.deps.BaseURL + "/things?url=" + url.QueryEscape(t.URI)
}

// thingPage is GET /things?url=: a thing known here, its owner and its
// counts (never its funders), with a flattr control. It only shows
// stored things: an unknown URL is a 404 that offers to flattr it.
// Signed-out visitors share a rendering for a few seconds (publicPage);
// with Deps.Pages the thing and its counts are one query.
func (s *Server) thingPage(c *gin.Context) {
	raw := c.Query("url")
	s.publicPage(c, func(ctx context.Context) (string, gin.H, int, error) {
		ct, err := s.countedThing(c, ctx, raw)
		if err != nil {
			data := gin.H{"Title": "Unknown thing"}
			if app.ErrorCode(err) == app.ENOTFOUND {
				data["FlattrURL"] = flattrPath(raw)
			}
			return statusPage("thing.html", data, err)
		}
		t := &ct.Thing
		data := gin.H{
			"Title": t.Display(), "Counts": ct.Counts, "FlattrURL": flattrPath(t.URI), "Weights": weights,
			"Weight": app.DefaultWeight, "ButtonURL": s.buttonURL(t.URI), "Width": buttonWidth, "Height": buttonHeight,
			"OEmbed":    s.deps.BaseURL + "/oembed?format=json&url=" + url.QueryEscape(s.thingPageURL(t)),
			"CanFlattr": s.deps.Flattrs != nil && s.deps.ThingResolver != nil, "OwnerPage": s.ownerPage(t.OwnerURI),
			"Currency": s.deps.Currency,
		}
		s.describeThing(c, t, data)
		return "thing.html", data, http.StatusOK, nil
	})
}

// countedThing is the stored thing behind raw with this month's counts:
// one query with Deps.Pages, else the thing and its cached counts.
func (s *Server) countedThing(c *gin.Context, ctx context.Context, raw string) (*app.CountedThing, error) {
	if s.deps.Pages != nil {
		return s.deps.Pages.Thing(ctx, raw)
	}
	t, err := s.deps.Things.Thing(ctx, raw)
	if err != nil {
		return nil, err
	}
	a, err := s.countsOf(c, t.URI)
	if err != nil {
		return nil, err
	}
	return &app.CountedThing{Thing: *t, Counts: a.Counts}, nil
}

// oembedJSON is an oEmbed 1.0 answer of type rich.
type oembedJSON struct {
	Version      string `json:"version"`
	Type         string `json:"type"`
	Title        string `json:"title"`
	AuthorURL    string `json:"author_url,omitempty"`
	ProviderName string `json:"provider_name"`
	ProviderURL  string `json:"provider_url"`
	CacheAge     int    `json:"cache_age"`
	HTML         string `json:"html"`
	Width        int    `json:"width"`
	Height       int    `json:"height"`
}

// oembed is GET /oembed?url=<thing page>&format=json: the flattr button
// of a thing page of this server, as an oEmbed rich answer. Only JSON is
// served (501 for another format, as oEmbed asks).
func (s *Server) oembed(c *gin.Context) {
	openCORS(c)
	if f := c.Query("format"); f != "" && f != "json" {
		c.AbortWithStatusJSON(http.StatusNotImplemented, gin.H{"error": "only format=json is served"})
		return
	}
	page, err := url.Parse(c.Query("url"))
	base, _ := url.Parse(s.deps.BaseURL)
	if c.Query("url") == "" || err != nil || page.Host != base.Host || page.Path != "/things" || page.Query().Get("url") == "" {
		c.AbortWithStatusJSON(http.StatusNotFound, gin.H{"error": "url must be a thing page of this server: " + s.deps.BaseURL + "/things?url=…"})
		return
	}
	t, err := s.deps.Things.Thing(c.Request.Context(), page.Query().Get("url"))
	if err != nil {
		c.AbortWithStatusJSON(ErrorStatus(err), gin.H{"error": app.ErrorMessage(err)})
		return
	}
	c.Header("Cache-Control", "public, max-age=3600")
	c.JSON(http.StatusOK, oembedJSON{
		Version: "1.0", Type: "rich", Title: t.Display(), AuthorURL: t.OwnerURI,
		ProviderName: "Plaudit on " + s.deps.Domain, ProviderURL: s.deps.BaseURL, CacheAge: 3600,
		HTML: s.iframeSnippet(t.URI), Width: buttonWidth, Height: buttonHeight,
	})
}
