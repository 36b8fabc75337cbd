package web

import (
	"bytes"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// adminMoneyRoutes adds the payouts page when AdminPages.Payouts is set.
func (s *Server) adminMoneyRoutes(a *gin.RouterGroup) {
	if s.deps.Admin.Payouts == nil {
		return
	}
	a.GET("/payouts", s.adminPayouts)
	a.POST("/payouts/run", s.postPayoutRun)
	a.GET("/payouts/:id/export", s.getPayoutExport)
	a.POST("/payouts/:id/paid", s.postPayoutPaid)
	a.POST("/payouts/:id/fail", s.postPayoutFail)
}

// batchRow is a payout batch on the payouts page.
type batchRow struct {
	ID, Provider, State, Ref, Created, Total string
	Open                                     bool
	Payouts                                  []adminPayoutRow
}

type adminPayoutRow struct {
	Creator, Name, IBAN, Amount, State, Reason string
	Pending                                    bool
}

// adminPayouts is GET /admin/payouts.
func (s *Server) adminPayouts(c *gin.Context) {
	s.renderPayouts(c, newAdminForm(c))
}

func (s *Server) renderPayouts(c *gin.Context, f adminForm) {
	locale := localeOf(c)
	batches, err := s.deps.Admin.Payouts.Batches(c.Request.Context(), 50)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([]batchRow, 0, len(batches))
	for _, b := range batches {
		r := batchRow{ID: b.ID, Provider: b.Provider, State: b.State, Ref: b.Ref, Open: b.State == app.BatchOpen,
			Created: b.CreatedAt.UTC().Format("2006-01-02 15:04 UTC"), Total: app.Money{Minor: b.Total(), Currency: b.Currency}.Format(locale)}
		for _, p := range b.Payouts {
			r.Payouts = append(r.Payouts, adminPayoutRow{Creator: p.CreatorURI, Name: p.Details.Name, IBAN: p.Details.IBAN,
				Amount: p.Amount.Format(locale), State: p.State, Reason: p.Reason, Pending: p.State == app.PayoutPending})
		}
		rows = append(rows, r)
	}
	s.renderAdmin(c, "admin_payouts.html", "payouts", "Payouts", f, gin.H{"Batches": rows})
}

// postPayoutRun is POST /admin/payouts/run: a batch of every creator due.
func (s *Server) postPayoutRun(c *gin.Context) {
	if _, err := s.deps.Admin.Payouts.Run(c.Request.Context()); err != nil {
		s.refuse(c, err, typed(c, "run"), "", s.renderPayouts)
		return
	}
	done(c, "/admin/payouts", "run")
}

// getPayoutExport is GET /admin/payouts/:id/export?format=csv|pain001:
// the batch as a file for the bank.
func (s *Server) getPayoutExport(c *gin.Context) {
	var buf bytes.Buffer
	name, media, err := s.deps.Admin.Payouts.Export(c.Request.Context(), &buf, c.Param("id"), c.DefaultQuery("format", "csv"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Data(http.StatusOK, media, buf.Bytes())
}

// postPayoutPaid is POST /admin/payouts/:id/paid (ref): the bank paid
// the batch.
func (s *Server) postPayoutPaid(c *gin.Context) {
	f := typed(c, "paid-"+c.Param("id"), "ref")
	if _, err := s.deps.Admin.Payouts.MarkPaid(c.Request.Context(), c.Param("id"), f.Values["ref"]); err != nil {
		s.refuse(c, err, f, "ref", s.renderPayouts)
		return
	}
	logger(c).Info("payout batch marked paid", "batch", c.Param("id"), "by", currentUser(c).Username)
	done(c, "/admin/payouts", "paid")
}

// postPayoutFail is POST /admin/payouts/:id/fail (creator, reason): the
// transfer to creator failed.
func (s *Server) postPayoutFail(c *gin.Context) {
	f := typed(c, "fail-"+c.Param("id")+"-"+c.PostForm("creator"), "creator", "reason")
	if _, err := s.deps.Admin.Payouts.Fail(c.Request.Context(), c.Param("id"), f.Values["creator"], f.Values["reason"]); err != nil {
		s.refuse(c, err, f, "reason", s.renderPayouts)
		return
	}
	logger(c).Info("payout marked failed", "batch", c.Param("id"), "creator", f.Values["creator"], "by", currentUser(c).Username)
	done(c, "/admin/payouts", "failed")
}
