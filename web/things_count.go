package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// ThingPages reads stored things and their counts by id or web page,
// never resolving anything (implemented by app/things.Lookup).
type ThingPages interface {
	Thing(ctx context.Context, rawURL string) (*app.Thing, error)
	Counts(ctx context.Context, rawURL string) (app.ThingCounts, bool, error)
}

// ThingResolver finds the thing behind any URL, fetching it when it is
// new (implemented by app/things.Service); only signed-in users reach it.
type ThingResolver interface {
	Resolve(ctx context.Context, rawURL string) (*app.Thing, error)
}

// maxThingURL bounds the URLs the public endpoints look up.
const maxThingURL = 2048

// thingRoutes adds the flattr button, the count endpoint, thing pages,
// oEmbed and the /flattr confirm page when Deps.Things is set.
func (s *Server) thingRoutes(e *gin.Engine, forms *gin.RouterGroup) {
	if s.deps.Things == nil {
		return
	}
	// Outside the API group: no auth, and as little work as possible.
	e.GET("/api/v1/things/count", s.thingCount)
	e.HEAD("/api/v1/things/count", s.thingCount)
	e.OPTIONS("/api/v1/things/count", corsPreflight)
	e.GET("/button", s.buttonFrame)
	e.GET("/flattr/elsewhere", s.flattrElsewhere)
	e.GET("/oembed", s.oembed)
	e.OPTIONS("/oembed", corsPreflight)
	forms.GET("things", s.thingPage)
	forms.GET("settings/button", s.signedIn, s.buttonSettings)
	if s.deps.Flattrs != nil && s.deps.ThingResolver != nil {
		forms.GET("flattr", s.signedIn, s.flattrPage)
		forms.POST("flattr", s.signedIn, s.flattrPost)
	}
}

// openCORS lets any page read the answer.
func openCORS(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "ETag")
}

// corsPreflight answers a CORS preflight for the public GET endpoints.
func corsPreflight(c *gin.Context) {
	openCORS(c)
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "If-None-Match, Cache-Control")
	h.Set("Access-Control-Max-Age", "86400")
	c.Status(http.StatusNoContent)
}

// countsOf reads the counts of rawURL through the cache.
func (s *Server) countsOf(c *gin.Context, rawURL string) (*countAnswer, error) {
	if rawURL == "" {
		return nil, app.Errorf(app.EINVALID, "url is missing: the id or web address of a thing")
	}
	if len(rawURL) > maxThingURL {
		return nil, app.Errorf(app.EINVALID, "url is longer than %d bytes", maxThingURL)
	}
	return s.counts.get(c.Request.Context(), rawURL, func(ctx context.Context) (app.ThingCounts, bool, error) {
		return s.deps.Things.Counts(ctx, rawURL)
	})
}

// thingCount is GET /api/v1/things/count?url=: the cached counts of the
// thing with that id or web page, zero for one never flattred here. It
// never fetches the URL.
func (s *Server) thingCount(c *gin.Context) {
	openCORS(c)
	a, err := s.countsOf(c, c.Query("url"))
	if err != nil {
		s.fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "public, max-age=60")
	h.Set("ETag", a.ETag)
	if inm := c.GetHeader("If-None-Match"); inm != "" && etagMatches(inm, a.ETag) {
		c.Status(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	c.Status(http.StatusOK)
	if c.Request.Method != http.MethodHead {
		_, _ = c.Writer.Write(a.Body)
	}
}
