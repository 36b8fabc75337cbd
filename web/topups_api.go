package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// TopUps start payments into funders' wallets (implemented by
// app/funding.Service with a payment provider).
type TopUps interface {
	StartTopUp(ctx context.Context, username string, amount app.Money) (string, error)
}

// topUpRoutes adds POST /api/v1/funding/topups when Deps.TopUps is set,
// and the provider's webhook at /webhooks/stripe when Deps.StripeWebhook
// is.
func (s *Server) topUpRoutes(e *gin.Engine, api *gin.RouterGroup) {
	if s.deps.TopUps != nil {
		api.POST("/funding/topups", s.requireScope("write:accounts"), s.postTopUp)
	}
	if s.deps.StripeWebhook != nil {
		e.POST("/webhooks/stripe", gin.WrapF(s.deps.StripeWebhook))
	}
}

// postTopUp is POST /api/v1/funding/topups {"amount": "10.00"}: it answers
// the payment page to send the funder to.
func (s *Server) postTopUp(c *gin.Context) {
	var b struct {
		Amount string `json:"amount"`
	}
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, app.Errorf(app.EINVALID, `the body must be JSON like {"amount": "10.00"}: %v`, err))
		return
	}
	m, err := app.ParseMoney(b.Amount, s.deps.Currency)
	if err != nil {
		s.fail(c, err)
		return
	}
	u, err := s.deps.TopUps.StartTopUp(c.Request.Context(), currentUser(c).Username, m)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"url": u})
}
