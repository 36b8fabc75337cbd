package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// LinkCodes make codes that link a fediverse account elsewhere to the
// signed-in funder (implemented by *mentions.Service).
type LinkCodes interface {
	NewLinkCode(ctx context.Context, username string) (string, time.Time, error)
}

// linkCodeRoutes adds POST /api/v1/mentions/link_code when
// Deps.LinkCodes is set.
func (s *Server) linkCodeRoutes(api *gin.RouterGroup) {
	if s.deps.LinkCodes == nil {
		return
	}
	api.POST("/mentions/link_code", s.requireScope("write:accounts"), s.newLinkCode)
}

// newLinkCode answers 201 with a code to send, from the account to link,
// in a direct message to the flattr actor.
func (s *Server) newLinkCode(c *gin.Context) {
	code, expires, err := s.deps.LinkCodes.NewLinkCode(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{
		"code": code, "expires_at": expires.UTC().Format(timeFormat), "send_to": s.deps.FlattrActorAcct,
		"how": "send the code in a direct message mentioning " + s.deps.FlattrActorAcct + " from the account to link, within the hour",
	})
}
