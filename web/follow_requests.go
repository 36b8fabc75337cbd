package web

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// FollowRequests lets users who approve followers by hand decide
// (implemented by *inbox.Inbox).
type FollowRequests interface {
	FollowRequests(ctx context.Context, username string) ([]app.Follow, error)
	DecideFollowRequest(ctx context.Context, username string, id int64, accept bool) error
}

func (s *Server) followRequestRoutes(api *gin.RouterGroup) {
	if s.deps.FollowRequests == nil {
		return
	}
	api.GET("/follow_requests", s.requireScope("read:follows"), s.listFollowRequests)
	api.POST("/follow_requests/:id/authorize", s.requireScope("write:follows"), s.decideFollowRequest(true))
	api.POST("/follow_requests/:id/reject", s.requireScope("write:follows"), s.decideFollowRequest(false))
}

type followRequestJSON struct {
	ID        int64  `json:"id"`
	Follower  string `json:"follower"`
	Activity  string `json:"activity"`
	CreatedAt string `json:"created_at"`
}

func (s *Server) listFollowRequests(c *gin.Context) {
	follows, err := s.deps.FollowRequests.FollowRequests(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]followRequestJSON, 0, len(follows))
	for _, f := range follows {
		out = append(out, followRequestJSON{ID: f.ID, Follower: f.FollowerURI, Activity: f.ActivityURI, CreatedAt: f.CreatedAt.UTC().Format(timeFormat)})
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) decideFollowRequest(accept bool) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			s.fail(c, app.Errorf(app.EINVALID, "follow request id must be a number"))
			return
		}
		if err := s.deps.FollowRequests.DecideFollowRequest(c.Request.Context(), currentUser(c).Username, id, accept); err != nil {
			s.fail(c, err)
			return
		}
		c.Status(http.StatusNoContent)
	}
}
