package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// Claims are a creator's ownership claims (implemented by
// *claims.Service).
type Claims interface {
	Create(ctx context.Context, username, rawURL string) (*app.Claim, error)
	List(ctx context.Context, username string) ([]app.Claim, error)
	Verify(ctx context.Context, username string, id int64) (*app.Claim, error)
	Delete(ctx context.Context, username string, id int64) error
}

// claimRoutes adds /api/v1/claims when Deps.Claims is set.
func (s *Server) claimRoutes(api *gin.RouterGroup) {
	if s.deps.Claims == nil {
		return
	}
	api.GET("/claims", s.requireScope("read:accounts"), s.listClaims)
	api.POST("/claims", s.requireScope("write:accounts"), s.createClaim)
	api.POST("/claims/:id/verify", s.requireScope("write:accounts"), s.verifyClaim)
	api.DELETE("/claims/:id", s.requireScope("write:accounts"), s.deleteClaim)
}

type claimJSON struct {
	ID         int64   `json:"id"`
	Kind       string  `json:"kind"`
	Subject    string  `json:"subject"`
	URL        string  `json:"url"`
	State      string  `json:"state"`
	Message    string  `json:"message,omitempty"`
	CheckedAt  *string `json:"checked_at"`
	VerifiedAt *string `json:"verified_at"`
	CreatedAt  string  `json:"created_at"`
}

func toClaimJSON(c *app.Claim) claimJSON {
	return claimJSON{
		ID: c.ID, Kind: c.Kind, Subject: c.Subject, URL: c.URL, State: c.State, Message: c.Message,
		CheckedAt: timePtr(c.CheckedAt), VerifiedAt: timePtr(c.VerifiedAt), CreatedAt: c.CreatedAt.UTC().Format(timeFormat),
	}
}

func timePtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format(timeFormat)
	return &s
}

// urlBody is the body of POST /api/v1/claims and /api/v1/blogs.
type urlBody struct {
	URL string `json:"url"`
}

// bindURL reads {"url": "…"}; it answers the error itself.
func (s *Server) bindURL(c *gin.Context) (string, bool) {
	if ct := c.ContentType(); ct != "" && !strings.Contains(ct, "json") {
		s.fail(c, app.Errorf(app.EINVALID, "send {\"url\": \"…\"} as application/json"))
		return "", false
	}
	var b urlBody
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		s.fail(c, decodeError(err))
		return "", false
	}
	if strings.TrimSpace(b.URL) == "" {
		s.fail(c, app.Errorf(app.EINVALID, "url is required"))
		return "", false
	}
	return b.URL, true
}

// idParam reads the :id of the path; it answers the error itself.
func (s *Server) idParam(c *gin.Context, what string) (int64, bool) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.EINVALID, "%s id must be a positive number", what))
		return 0, false
	}
	return id, true
}

// createClaim makes a claim and checks it at once: 201 with the claim,
// whose state says whether it verified and whose message names the
// missing side when not.
func (s *Server) createClaim(c *gin.Context) {
	u, ok := s.bindURL(c)
	if !ok {
		return
	}
	cl, err := s.deps.Claims.Create(c.Request.Context(), currentUser(c).Username, u)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/claims/"+strconv.FormatInt(cl.ID, 10))
	c.JSON(http.StatusCreated, toClaimJSON(cl))
}

func (s *Server) listClaims(c *gin.Context) {
	list, err := s.deps.Claims.List(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]claimJSON, 0, len(list))
	for i := range list {
		out = append(out, toClaimJSON(&list[i]))
	}
	c.JSON(http.StatusOK, out)
}

// verifyClaim checks a claim again: 200 with the claim when it holds,
// 422 with the message naming the missing side when it does not.
func (s *Server) verifyClaim(c *gin.Context) {
	id, ok := s.idParam(c, "claim")
	if !ok {
		return
	}
	cl, err := s.deps.Claims.Verify(c.Request.Context(), currentUser(c).Username, id)
	if err != nil && cl != nil && app.ErrorCode(err) == app.EINVALID {
		c.JSON(http.StatusUnprocessableEntity, gin.H{"error": cl.Message, "claim": toClaimJSON(cl)})
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toClaimJSON(cl))
}

func (s *Server) deleteClaim(c *gin.Context) {
	id, ok := s.idParam(c, "claim")
	if !ok {
		return
	}
	if err := s.deps.Claims.Delete(c.Request.Context(), currentUser(c).Username, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
