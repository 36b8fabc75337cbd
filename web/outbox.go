package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// Outbox publishes what users POST to their ActivityPub outbox
// (implemented by federation/outbox.Publisher).
type Outbox interface {
	Submit(ctx context.Context, user *app.User, body []byte) (*app.Activity, error)
}

// federationRoutes adds the client-to-server outbox and the federation
// admin API; each part is left out when its dependency is nil.
func (s *Server) federationRoutes(admin *gin.RouterGroup) {
	if s.deps.Outbox != nil {
		s.engine.POST("/users/:name/outbox", s.bearerUser, s.requireScope(accounts.ScopeWrite), s.postOutbox)
	}
	if s.deps.Moderation != nil {
		admin.GET("/domain_blocks", s.listDomainBlocks)
		admin.POST("/domain_blocks", s.blockDomain)
		admin.DELETE("/domain_blocks/:domain", s.unblockDomain)
		admin.GET("/actor_blocks", s.listActorBlocks)
		admin.POST("/actor_blocks", s.blockActor)
		admin.DELETE("/actor_blocks", s.unblockActor)
	}
	if s.deps.Deliveries != nil {
		admin.GET("/deliveries", s.listDeliveries)
		admin.POST("/deliveries/:id/retry", s.retryDelivery)
	}
}

// postOutbox is ActivityPub's client-to-server POST to an outbox: the
// bearer token's user posts to their own outbox; the answer is 201 with
// the new activity and its id in Location.
func (s *Server) postOutbox(c *gin.Context) {
	u := currentUser(c)
	if !strings.EqualFold(c.Param("name"), u.Username) {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "you can only post to your own outbox"))
		return
	}
	if ct := c.ContentType(); ct != "" && !strings.Contains(ct, "json") {
		s.fail(c, app.Errorf(app.EINVALID, "send the activity as application/activity+json"))
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		s.fail(c, readError(err))
		return
	}
	a, err := s.deps.Outbox.Submit(c.Request.Context(), u, body)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", a.URI)
	c.Data(http.StatusCreated, "application/activity+json", []byte(a.Document))
}

// readError turns a failed body read into an app error: too large, or
// cut off.
func readError(err error) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return app.Errorf(app.ETOOLARGE, "request body is larger than %d bytes", tooBig.Limit)
	}
	return &app.Error{Code: app.EINVALID, Message: "could not read the request body", Err: err}
}
