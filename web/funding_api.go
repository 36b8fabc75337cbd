package web

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/months"
)

// Funding are the money use cases a funder's API calls (implemented by
// app/months.Service).
type Funding interface {
	Project(ctx context.Context, funder, month string) (*months.Projection, error)
	Budget(ctx context.Context, funder string) (app.Money, error)
	SetBudget(ctx context.Context, funderURI string, m app.Money) error
}

// fundingRoutes adds /api/v1/funding when Deps.Funding is set.
func (s *Server) fundingRoutes(api *gin.RouterGroup) {
	if s.deps.Funding == nil {
		return
	}
	api.GET("/funding", s.requireScope("read:accounts"), s.getFunding)
	api.GET("/funding/projection", s.requireScope("read:accounts"), s.getProjection)
	api.PUT("/funding/budget", s.requireScope("write:accounts"), s.putBudget)
}

// moneyJSON is an amount: a decimal string, minor units and the currency.
type moneyJSON struct {
	Amount   string `json:"amount"`
	Minor    int64  `json:"minor"`
	Currency string `json:"currency"`
}

func toMoneyJSON(m app.Money) moneyJSON {
	return moneyJSON{Amount: m.Decimal(), Minor: m.Minor, Currency: m.Currency}
}

func (s *Server) funder(c *gin.Context) string {
	return s.deps.BaseURL + "/users/" + currentUser(c).Username
}

// getFunding is GET /api/v1/funding: the wallet, the budget and this
// month's flattrs with what each would get now.
func (s *Server) getFunding(c *gin.Context) {
	s.writeProjection(c, true)
}

// getProjection is GET /api/v1/funding/projection?month=: what each thing
// (and each of its creators) would receive if the month closed now.
func (s *Server) getProjection(c *gin.Context) {
	s.writeProjection(c, false)
}

func (s *Server) writeProjection(c *gin.Context, withBudget bool) {
	month := c.Query("month")
	if month == "" {
		month = app.MonthOf(time.Now())
	}
	p, err := s.deps.Funding.Project(c.Request.Context(), s.funder(c), month)
	if err != nil {
		s.fail(c, err)
		return
	}
	type lineJSON struct {
		Flattr    string    `json:"flattr"`
		Thing     string    `json:"thing"`
		Recipient string    `json:"recipient"`
		Goes      string    `json:"goes_to"` // creator, payable (a peer server), escrow
		Amount    moneyJSON `json:"amount"`
	}
	lines := make([]lineJSON, 0, len(p.Lines))
	for _, l := range p.Lines {
		lines = append(lines, lineJSON{Flattr: l.ActivityURI, Thing: l.ThingURI, Recipient: l.RecipientURI, Goes: l.Account.Kind,
			Amount: toMoneyJSON(app.Money{Minor: l.Amount, Currency: p.Amount.Currency})})
	}
	out := gin.H{"month": p.Month, "amount": toMoneyJSON(p.Amount), "fee": toMoneyJSON(p.Fee), "lines": lines}
	if withBudget {
		out["wallet"], out["budget"] = toMoneyJSON(p.Wallet), toMoneyJSON(p.Budget)
	}
	c.JSON(http.StatusOK, out)
}

// putBudget is PUT /api/v1/funding/budget {"amount": "5.00"}.
func (s *Server) putBudget(c *gin.Context) {
	var b struct {
		Amount string `json:"amount"`
	}
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, app.Errorf(app.EINVALID, `the body must be JSON like {"amount": "5.00"}: %v`, err))
		return
	}
	ctx := c.Request.Context()
	cur, err := s.deps.Funding.Budget(ctx, s.funder(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	m, err := app.ParseMoney(b.Amount, cur.Currency)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.deps.Funding.SetBudget(ctx, s.funder(c), m); err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"budget": toMoneyJSON(m)})
}
