package web

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/statements"
)

// PayoutDetails keeps where creators are paid (implemented by
// app/payouts.Service).
type PayoutDetails interface {
	Details(ctx context.Context, creatorURI string) (*app.PayoutDetails, error)
	SetDetails(ctx context.Context, creatorURI string, d app.PayoutDetails) (*app.PayoutDetails, error)
}

// Statements show people their money (implemented by
// app/statements.Service).
type Statements interface {
	Earnings(ctx context.Context, creatorURI string) (*statements.Earnings, error)
	Payouts(ctx context.Context, creatorURI string) ([]app.Payout, error)
	Spending(ctx context.Context, funderURI, month string) ([]statements.MonthSpending, error)
	WriteStatement(ctx context.Context, w io.Writer, userURI, month string) error
}

// payoutRoutes adds /api/v1/payout_details when Deps.PayoutDetails is
// set, and /api/v1/earnings, /api/v1/payouts, /api/v1/funding/months and
// /api/v1/statements/YYYY-MM.csv when Deps.Statements is.
func (s *Server) payoutRoutes(api *gin.RouterGroup) {
	if s.deps.PayoutDetails != nil {
		api.GET("/payout_details", s.requireScope("read:accounts"), s.getPayoutDetails)
		api.PUT("/payout_details", s.requireScope("write:accounts"), s.putPayoutDetails)
	}
	if s.deps.Statements != nil {
		api.GET("/earnings", s.requireScope("read:accounts"), s.getEarnings)
		api.GET("/payouts", s.requireScope("read:accounts"), s.getPayouts)
		api.GET("/funding/months", s.requireScope("read:accounts"), s.getSpending)
		api.GET("/statements/:file", s.requireScope("read:accounts"), s.getStatement)
	}
}

type payoutDetailsJSON struct {
	Name          string `json:"name"`
	IBAN          string `json:"iban"`
	BIC           string `json:"bic"`
	StripeAccount string `json:"stripe_account"`
}

// getPayoutDetails is GET /api/v1/payout_details: 404 until set.
func (s *Server) getPayoutDetails(c *gin.Context) {
	d, err := s.deps.PayoutDetails.Details(c.Request.Context(), s.funder(c))
	if errors.Is(err, app.ErrNotFound) {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no payout details yet: PUT them to be paid"))
		return
	} else if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, payoutDetailsJSON{Name: d.Name, IBAN: d.IBAN, BIC: d.BIC, StripeAccount: d.StripeAccount})
}

// putPayoutDetails is PUT /api/v1/payout_details {"name", "iban", "bic",
// "stripe_account"}: an invalid IBAN (its check digits) is 400 and
// changes nothing.
func (s *Server) putPayoutDetails(c *gin.Context) {
	var b payoutDetailsJSON
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, app.Errorf(app.EINVALID, `the body must be JSON like {"name": "…", "iban": "…", "bic": "…"} or {"stripe_account": "acct_…"}: %v`, err))
		return
	}
	d, err := s.deps.PayoutDetails.SetDetails(c.Request.Context(), s.funder(c),
		app.PayoutDetails{Name: b.Name, IBAN: b.IBAN, BIC: b.BIC, StripeAccount: b.StripeAccount})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, payoutDetailsJSON{Name: d.Name, IBAN: d.IBAN, BIC: d.BIC, StripeAccount: d.StripeAccount})
}

// getEarnings is GET /api/v1/earnings: the balance to be paid out, what
// each month's close gave by thing, and what waits on each peer.
func (s *Server) getEarnings(c *gin.Context) {
	e, err := s.deps.Statements.Earnings(c.Request.Context(), s.funder(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	type thingJSON struct {
		Thing   string    `json:"thing"`
		Flattrs int64     `json:"flattrs"`
		Amount  moneyJSON `json:"amount"`
	}
	type monthJSON struct {
		Month  string      `json:"month"`
		Total  moneyJSON   `json:"total"`
		Things []thingJSON `json:"things"`
	}
	type pendingJSON struct {
		Peer   string    `json:"peer"`
		Amount moneyJSON `json:"amount"`
	}
	months, pending := []monthJSON{}, []pendingJSON{}
	for _, m := range e.Months {
		mj := monthJSON{Month: m.Month, Total: toMoneyJSON(m.Total), Things: []thingJSON{}}
		for _, t := range m.Things {
			mj.Things = append(mj.Things, thingJSON{Thing: t.Thing, Flattrs: t.Flattrs, Amount: toMoneyJSON(t.Amount)})
		}
		months = append(months, mj)
	}
	for _, p := range e.Pending {
		pending = append(pending, pendingJSON{Peer: p.Peer, Amount: toMoneyJSON(p.Amount)})
	}
	c.JSON(http.StatusOK, gin.H{"balance": toMoneyJSON(e.Balance), "months": months, "pending": pending})
}

// getPayouts is GET /api/v1/payouts: the creator's payouts, newest first.
func (s *Server) getPayouts(c *gin.Context) {
	ps, err := s.deps.Statements.Payouts(c.Request.Context(), s.funder(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	type payoutJSON struct {
		ID        string    `json:"id"`
		Batch     string    `json:"batch"`
		Amount    moneyJSON `json:"amount"`
		Provider  string    `json:"provider"`
		State     string    `json:"state"`
		Ref       string    `json:"ref,omitempty"`
		Reason    string    `json:"reason,omitempty"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := make([]payoutJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, payoutJSON{ID: p.Key, Batch: p.BatchID, Amount: toMoneyJSON(p.Amount), Provider: p.Provider,
			State: p.State, Ref: p.Ref, Reason: p.Reason, CreatedAt: p.CreatedAt})
	}
	c.JSON(http.StatusOK, out)
}

// getSpending is GET /api/v1/funding/months[?month=YYYY-MM]: where each
// closed month's money went.
func (s *Server) getSpending(c *gin.Context) {
	ms, err := s.deps.Statements.Spending(c.Request.Context(), s.funder(c), c.Query("month"))
	if err != nil {
		s.fail(c, err)
		return
	}
	type lineJSON struct {
		Flattr    string    `json:"flattr"`
		Thing     string    `json:"thing"`
		Recipient string    `json:"recipient"`
		Goes      string    `json:"goes_to"`
		Amount    moneyJSON `json:"amount"`
	}
	type monthJSON struct {
		Month  string     `json:"month"`
		Amount moneyJSON  `json:"amount"`
		Fee    moneyJSON  `json:"fee"`
		Lines  []lineJSON `json:"lines"`
	}
	out := make([]monthJSON, 0, len(ms))
	for _, m := range ms {
		mj := monthJSON{Month: m.Month, Amount: toMoneyJSON(m.Amount), Fee: toMoneyJSON(m.Fee), Lines: []lineJSON{}}
		for _, l := range m.Lines {
			mj.Lines = append(mj.Lines, lineJSON{Flattr: l.ActivityURI, Thing: l.ThingURI, Recipient: l.RecipientURI, Goes: l.Account.Kind,
				Amount: toMoneyJSON(app.Money{Minor: l.Amount, Currency: m.Amount.Currency})})
		}
		out = append(out, mj)
	}
	c.JSON(http.StatusOK, out)
}

// getStatement is GET /api/v1/statements/YYYY-MM.csv: the signed-in
// user's statement of the month, as funder and as creator.
func (s *Server) getStatement(c *gin.Context) {
	month, ok := strings.CutSuffix(c.Param("file"), ".csv")
	if !ok {
		s.fail(c, app.Errorf(app.ENOTFOUND, "statements are at /api/v1/statements/YYYY-MM.csv"))
		return
	}
	if _, err := app.ParseMonth(month); err != nil {
		s.fail(c, err)
		return
	}
	var buf strings.Builder
	if err := s.deps.Statements.WriteStatement(c.Request.Context(), &buf, s.funder(c), month); err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="plaudit-`+month+`.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", []byte(buf.String()))
}
