package web

import (
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// adminFederationPageRoutes adds the delivery failures page when
// Deps.Deliveries is set and the blocks page when Deps.Moderation is.
func (s *Server) adminFederationPageRoutes(a *gin.RouterGroup) {
	if s.deps.Deliveries != nil {
		a.GET("/deliveries", s.adminDeliveries)
		a.POST("/deliveries/:id/retry", s.postDeliveryRetry)
	}
	if s.deps.Moderation != nil {
		a.GET("/blocks", s.adminBlocks)
		a.POST("/blocks/domains", s.postDomainBlock)
		a.POST("/blocks/domains/remove", s.postDomainUnblock)
		a.POST("/blocks/actors", s.postActorBlock)
		a.POST("/blocks/actors/remove", s.postActorUnblock)
	}
}

// deliveryRow is a delivery on the delivery failures page.
type deliveryRow struct {
	ID                                   int64
	Inbox, Host, State, Error, Next, Age string
	Attempts, Status                     int
}

// adminDeliveries is GET /admin/deliveries: the dead letters (given up),
// and the deliveries still being retried after failing.
func (s *Server) adminDeliveries(c *gin.Context) {
	s.renderDeliveries(c, newAdminForm(c))
}

func (s *Server) renderDeliveries(c *gin.Context, f adminForm) {
	ctx := c.Request.Context()
	dead, err := s.deps.Deliveries.ByState(ctx, app.DeliveryDead, 200)
	if err != nil {
		s.fail(c, err)
		return
	}
	pending, err := s.deps.Deliveries.ByState(ctx, app.DeliveryPending, 500)
	if err != nil {
		s.fail(c, err)
		return
	}
	var failing []app.Delivery
	for _, d := range pending {
		if d.Attempts > 0 {
			failing = append(failing, d)
		}
	}
	s.renderAdmin(c, "admin_deliveries.html", "deliveries", "Delivery failures", f, gin.H{
		"Dead":    deliveryTable{Rows: deliveryRows(dead), CSRF: csrfToken(c)},
		"Failing": deliveryTable{Rows: deliveryRows(failing), CSRF: csrfToken(c)},
	})
}

// deliveryTable is a table of deliveries with a retry button each.
type deliveryTable struct {
	Rows []deliveryRow
	CSRF string
}

func deliveryRows(ds []app.Delivery) []deliveryRow {
	rows := make([]deliveryRow, 0, len(ds))
	for _, d := range ds {
		rows = append(rows, deliveryRow{ID: d.ID, Inbox: d.Inbox, Host: d.Host, State: d.State, Error: d.LastError,
			Attempts: d.Attempts, Status: d.LastStatus, Next: d.NextAttemptAt.UTC().Format("2006-01-02 15:04 UTC"),
			Age: d.CreatedAt.UTC().Format("2006-01-02 15:04 UTC")})
	}
	return rows
}

// postDeliveryRetry is POST /admin/deliveries/:id/retry: the delivery is
// queued again at once, its attempts counted from zero.
func (s *Server) postDeliveryRetry(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no such delivery"))
		return
	}
	if _, err := s.deps.Deliveries.Retry(c.Request.Context(), id); err != nil {
		s.refuse(c, err, typed(c, "retry"), "", s.renderDeliveries)
		return
	}
	logger(c).Info("delivery retried", "delivery", id, "by", currentUser(c).Username)
	done(c, "/admin/deliveries", "retry")
}

// adminBlocks is GET /admin/blocks: domain and actor blocks.
func (s *Server) adminBlocks(c *gin.Context) {
	s.renderBlocks(c, newAdminForm(c))
}

func (s *Server) renderBlocks(c *gin.Context, f adminForm) {
	ctx := c.Request.Context()
	domains, err := s.deps.Moderation.DomainBlocks(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	actors, err := s.deps.Moderation.ActorBlocks(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	if f.Form != "domain" {
		f.Values["severity"] = app.BlockReject
	}
	s.renderAdmin(c, "admin_blocks.html", "blocks", "Blocks", f, gin.H{
		"Domains": domains, "Actors": actors, "Severities": []string{app.BlockReject, app.BlockSilence},
	})
}

// postDomainBlock is POST /admin/blocks/domains (domain, severity, reason).
func (s *Server) postDomainBlock(c *gin.Context) {
	f := typed(c, "domain", "domain", "severity", "reason")
	if _, err := s.deps.Moderation.BlockDomain(c.Request.Context(), f.Values["domain"], f.Values["severity"], f.Values["reason"]); err != nil {
		s.refuse(c, err, f, "domain", s.renderBlocks)
		return
	}
	logger(c).Info("domain blocked", "domain", f.Values["domain"], "by", currentUser(c).Username)
	done(c, "/admin/blocks", "block")
}

// postDomainUnblock is POST /admin/blocks/domains/remove (domain).
func (s *Server) postDomainUnblock(c *gin.Context) {
	if err := s.deps.Moderation.UnblockDomain(c.Request.Context(), c.PostForm("domain")); err != nil {
		s.refuse(c, err, typed(c, "unblock"), "", s.renderBlocks)
		return
	}
	logger(c).Info("domain unblocked", "domain", c.PostForm("domain"), "by", currentUser(c).Username)
	done(c, "/admin/blocks", "unblock")
}

// postActorBlock is POST /admin/blocks/actors (actor, reason).
func (s *Server) postActorBlock(c *gin.Context) {
	f := typed(c, "actor", "actor", "reason")
	if err := s.deps.Moderation.BlockActor(c.Request.Context(), f.Values["actor"], f.Values["reason"]); err != nil {
		s.refuse(c, err, f, "actor", s.renderBlocks)
		return
	}
	logger(c).Info("actor blocked", "actor", f.Values["actor"], "by", currentUser(c).Username)
	done(c, "/admin/blocks", "block")
}

// postActorUnblock is POST /admin/blocks/actors/remove (actor).
func (s *Server) postActorUnblock(c *gin.Context) {
	if err := s.deps.Moderation.UnblockActor(c.Request.Context(), c.PostForm("actor")); err != nil {
		s.refuse(c, err, typed(c, "unblock"), "", s.renderBlocks)
		return
	}
	logger(c).Info("actor unblocked", "actor", url.QueryEscape(c.PostForm("actor")), "by", currentUser(c).Username)
	done(c, "/admin/blocks", "unblock")
}
