package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/actors"
	"github.com/plaudit/plaudit/federation/discovery"
)

// Inbox receives ActivityPub activities (implemented by
// federation/inbox.Inbox).
type Inbox interface {
	ServeShared(w http.ResponseWriter, r *http.Request)
	ServeUser(w http.ResponseWriter, r *http.Request, name string)
}

// inboxRoutes mounts the shared inbox, the instance actor's inbox and the
// users' inboxes.
func (s *Server) inboxRoutes(e *gin.Engine) {
	in := s.deps.Inbox
	if in == nil {
		return
	}
	// The inbox limits unsigned senders by client IP: hand it the one gin
	// found (through trusted proxies only).
	withIP := func(c *gin.Context) *http.Request {
		return c.Request.WithContext(federation.WithClientIP(c.Request.Context(), c.ClientIP()))
	}
	e.POST("/inbox", func(c *gin.Context) { in.ServeShared(c.Writer, withIP(c)) })
	e.POST("/actor/inbox", func(c *gin.Context) { in.ServeShared(c.Writer, withIP(c)) })
	e.POST("/users/:name/inbox", func(c *gin.Context) { in.ServeUser(c.Writer, withIP(c), c.Param("name")) })
}

// Actors serves local actors and what they published (implemented by
// federation/actors.Handlers).
type Actors interface {
	ServeActor(w http.ResponseWriter, r *http.Request)
	ServeInstanceActor(w http.ResponseWriter, r *http.Request)
	ServeFollowers(w http.ResponseWriter, r *http.Request)
	ServeFollowing(w http.ResponseWriter, r *http.Request)
	ServeOutbox(w http.ResponseWriter, r *http.Request)
	ServeInstanceOutbox(w http.ResponseWriter, r *http.Request)
	ServeActivity(w http.ResponseWriter, r *http.Request)
	ServeObject(w http.ResponseWriter, r *http.Request)
	// Signed wraps a handler that needs a signed GET under authorized
	// fetch.
	Signed(next http.HandlerFunc) http.HandlerFunc
	// SignedAlways wraps a handler that needs a signed GET whatever the
	// setting.
	SignedAlways(next http.HandlerFunc) http.HandlerFunc
}

// Discovery serves WebFinger, host-meta and NodeInfo (implemented by
// federation/discovery.Handlers).
type Discovery interface {
	ServeWebFinger(w http.ResponseWriter, r *http.Request)
	ServeHostMeta(w http.ResponseWriter, r *http.Request)
	ServeHostMetaJSON(w http.ResponseWriter, r *http.Request)
	ServeNodeInfoLinks(w http.ResponseWriter, r *http.Request)
	ServeNodeInfo20(w http.ResponseWriter, r *http.Request)
	ServeNodeInfo21(w http.ResponseWriter, r *http.Request)
}

// withParams hands gin's path parameters to a net/http handler as path
// values (r.PathValue), which the federation handlers read.
func withParams(h http.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		for _, p := range c.Params {
			c.Request.SetPathValue(p.Key, p.Value)
		}
		h(c.Writer, c.Request)
	}
}

// actorRoutes mounts the actor documents and collections. A browser
// asking for /users/:name gets the profile page; ActivityPub clients the
// Person.
func (s *Server) actorRoutes(e *gin.Engine) {
	a := s.deps.Actors
	if a == nil {
		return
	}
	e.GET("/users/:name", func(c *gin.Context) {
		if !actors.WantsActivityJSON(c.GetHeader("Accept")) {
			c.Header("Vary", "Accept")
			s.ProfilePage(c)
			return
		}
		withParams(a.ServeActor)(c)
	})
	e.GET("/actor", withParams(a.ServeInstanceActor))
	e.GET("/users/:name/followers", withParams(a.Signed(a.ServeFollowers)))
	e.GET("/users/:name/following", withParams(a.Signed(a.ServeFollowing)))
	e.GET("/users/:name/outbox", withParams(a.Signed(a.ServeOutbox)))
	e.GET("/actor/outbox", withParams(a.Signed(a.ServeInstanceOutbox)))
	e.GET("/activities/:id", withParams(a.Signed(a.ServeActivity)))
	e.GET("/objects/:id", withParams(a.Signed(a.ServeObject)))
	if s.deps.PeerStatements != nil {
		// Statements to peers: only their instance actors may read them.
		e.GET("/statements/:month/:host/:version", withParams(a.SignedAlways(s.deps.PeerStatements)))
	}
}

// discoveryRoutes mounts WebFinger, host-meta and NodeInfo, readable from
// any origin.
func (s *Server) discoveryRoutes(e *gin.Engine) {
	d := s.deps.Discovery
	if d == nil {
		return
	}
	for path, serve := range map[string]http.HandlerFunc{
		"/.well-known/webfinger":      d.ServeWebFinger,
		"/.well-known/host-meta":      d.ServeHostMeta,
		"/.well-known/host-meta.json": d.ServeHostMetaJSON,
		"/.well-known/nodeinfo":       d.ServeNodeInfoLinks,
		"/nodeinfo/2.0":               d.ServeNodeInfo20,
		"/nodeinfo/2.1":               d.ServeNodeInfo21,
	} {
		e.GET(path, withParams(discovery.CORS(serve)))
		e.OPTIONS(path, withParams(discovery.Preflight))
	}
}
