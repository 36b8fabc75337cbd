package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// CoCreators are the co-creator use cases the API calls (implemented by
// app/things.Service).
type CoCreators interface {
	SetRecipients(ctx context.Context, ownerURI, thingURI string, rs []app.Recipient) error
	Recipients(ctx context.Context, thingURI string) ([]app.Recipient, error)
}

// recipientJSON is one co-creator's share.
type recipientJSON struct {
	Actor string `json:"actor"`
	Share int    `json:"share"`
}

// recipientsBody is the JSON of PUT /api/v1/recipients.
type recipientsBody struct {
	Thing      string          `json:"thing"` // "" for all the user's things
	Recipients []recipientJSON `json:"recipients"`
}

// recipientRoutes adds /api/v1/recipients when Deps.CoCreators is set.
func (s *Server) recipientRoutes(api *gin.RouterGroup) {
	if s.deps.CoCreators == nil {
		return
	}
	api.GET("/recipients", s.requireScope("read:accounts"), s.getRecipients)
	api.PUT("/recipients", s.requireScope("write:accounts"), s.putRecipients)
}

// getRecipients is GET /api/v1/recipients?thing=<uri>: who shares the
// thing's money (the user's own split without thing).
func (s *Server) getRecipients(c *gin.Context) {
	subject := c.Query("thing")
	if subject == "" {
		subject = s.deps.BaseURL + "/users/" + currentUser(c).Username
	}
	rs, err := s.deps.CoCreators.Recipients(c.Request.Context(), subject)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]recipientJSON, 0, len(rs))
	for _, r := range rs {
		out = append(out, recipientJSON{Actor: r.RecipientURI, Share: r.Share})
	}
	c.JSON(http.StatusOK, gin.H{"thing": c.Query("thing"), "recipients": out})
}

// putRecipients is PUT /api/v1/recipients: replace the co-creators of one
// of the user's things, or of all of them.
func (s *Server) putRecipients(c *gin.Context) {
	var b recipientsBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, app.Errorf(app.EINVALID, `the body must be JSON like {"thing": "…", "recipients": [{"actor": "https://…", "share": 70}]}: %v`, err))
		return
	}
	rs := make([]app.Recipient, len(b.Recipients))
	for i, r := range b.Recipients {
		rs[i] = app.Recipient{RecipientURI: r.Actor, Share: r.Share}
	}
	owner := s.deps.BaseURL + "/users/" + currentUser(c).Username
	if err := s.deps.CoCreators.SetRecipients(c.Request.Context(), owner, b.Thing, rs); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"thing": b.Thing, "recipients": b.Recipients})
}
