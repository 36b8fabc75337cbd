package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

func (s *Server) me(c *gin.Context) {
	u := currentUser(c)
	c.JSON(http.StatusOK, gin.H{"username": u.Username, "acct": u.Username + "@" + s.deps.Domain, "admin": u.Admin})
}

type probeJSON struct {
	ID          int64   `json:"id"`
	EnqueuedBy  string  `json:"enqueued_by"`
	ProcessedBy *string `json:"processed_by"`
	CreatedAt   string  `json:"created_at"`
	ProcessedAt *string `json:"processed_at"`
}

func toProbeJSON(p *app.JobProbe) probeJSON {
	out := probeJSON{ID: p.ID, EnqueuedBy: p.EnqueuedBy, ProcessedBy: p.ProcessedBy, CreatedAt: p.CreatedAt.UTC().Format(timeFormat)}
	if p.ProcessedAt != nil {
		t := p.ProcessedAt.UTC().Format(timeFormat)
		out.ProcessedAt = &t
	}
	return out
}

const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func (s *Server) startProbe(c *gin.Context) {
	p, err := s.deps.Probes.Start(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/admin/jobs/probes/"+strconv.FormatInt(p.ID, 10))
	c.JSON(http.StatusAccepted, toProbeJSON(p))
}

func (s *Server) getProbe(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.EINVALID, "probe id must be a number"))
		return
	}
	p, err := s.deps.Probes.Get(c.Request.Context(), id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toProbeJSON(p))
}

func (s *Server) createInvite(c *gin.Context) {
	code, err := s.deps.Accounts.CreateInvite(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"code": code, "url": s.deps.BaseURL + "/signup?invite=" + code})
}
