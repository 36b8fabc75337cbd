package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
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
	e.POST("/inbox", gin.WrapF(in.ServeShared))
	e.POST("/actor/inbox", gin.WrapF(in.ServeShared))
	e.POST("/users/:name/inbox", func(c *gin.Context) { in.ServeUser(c.Writer, c.Request, c.Param("name")) })
}
