package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// AutoFlattr links funders' home accounts (implemented by
// *autoflattr.Service).
type AutoFlattr interface {
	Start(ctx context.Context, username, server string, cap int, exceptions []string) (string, *app.AutoFlattrLink, error)
	Callback(ctx context.Context, state, code string) (*app.AutoFlattrLink, error)
	Links(ctx context.Context, username string) ([]app.AutoFlattrLink, error)
	Unlink(ctx context.Context, username string, id int64) error
}

// autoFlattrRoutes adds /api/v1/autoflattr and the OAuth callback when
// Deps.AutoFlattr is set.
func (s *Server) autoFlattrRoutes(e *gin.Engine, api *gin.RouterGroup) {
	if s.deps.AutoFlattr == nil {
		return
	}
	api.GET("/autoflattr", s.requireScope("read:accounts"), s.listAutoFlattr)
	api.POST("/autoflattr", s.requireScope("write:accounts"), s.startAutoFlattr)
	api.DELETE("/autoflattr/:id", s.requireScope("write:accounts"), s.unlinkAutoFlattr)
	e.GET("/autoflattr/callback", s.autoFlattrCallback)
}

type autoFlattrJSON struct {
	ID         int64    `json:"id"`
	Server     string   `json:"server"`
	State      string   `json:"state"`
	Cap        int      `json:"monthly_cap"`
	Exceptions []string `json:"exceptions"`
	CreatedAt  string   `json:"created_at"`
}

func toAutoFlattrJSON(l *app.AutoFlattrLink) autoFlattrJSON {
	ex := l.Exceptions
	if ex == nil {
		ex = []string{}
	}
	return autoFlattrJSON{ID: l.ID, Server: l.Server, State: l.State, Cap: l.Cap, Exceptions: ex, CreatedAt: l.CreatedAt.UTC().Format(timeFormat)}
}

// startAutoFlattr answers 201 with the link and the address where the
// funder approves it on their server.
func (s *Server) startAutoFlattr(c *gin.Context) {
	var b struct {
		Server     string   `json:"server"`
		Cap        int      `json:"monthly_cap"`
		Exceptions []string `json:"exceptions"`
	}
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		s.fail(c, decodeError(err))
		return
	}
	authorize, l, err := s.deps.AutoFlattr.Start(c.Request.Context(), currentUser(c).Username, b.Server, b.Cap, b.Exceptions)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"link": toAutoFlattrJSON(l), "authorize_url": authorize})
}

func (s *Server) listAutoFlattr(c *gin.Context) {
	ls, err := s.deps.AutoFlattr.Links(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]autoFlattrJSON, len(ls))
	for i := range ls {
		out[i] = toAutoFlattrJSON(&ls[i])
	}
	c.JSON(http.StatusOK, out)
}

func (s *Server) unlinkAutoFlattr(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.EINVALID, "the link id is a number"))
		return
	}
	if err := s.deps.AutoFlattr.Unlink(c.Request.Context(), currentUser(c).Username, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// autoFlattrCallback is where the home server sends the funder back; the
// link is found by its state, so the callback needs no session.
func (s *Server) autoFlattrCallback(c *gin.Context) {
	if e := c.Query("error"); e != "" {
		c.String(http.StatusOK, "The link was not approved on your server ("+e+"): nothing will be flattred.")
		return
	}
	l, err := s.deps.AutoFlattr.Callback(c.Request.Context(), c.Query("state"), c.Query("code"))
	if err != nil {
		status := ErrorStatus(err)
		c.String(status, "The link could not be made: "+app.ErrorMessage(err))
		return
	}
	c.String(http.StatusOK, "Linked "+l.Server+": its favourites become flattrs here, up to "+strconv.Itoa(l.Cap)+" a month.")
}
