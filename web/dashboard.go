package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/months"
	"github.com/plaudit/plaudit/app/statements"
)

// dashboardRoutes adds the funder dashboard when Deps.Funding and
// Deps.Flattrs are set, and the creator dashboard when Deps.Statements
// is. Every route is for the signed-in user only and shows only their
// own money; forms are CSRF-protected by the forms group.
func (s *Server) dashboardRoutes(forms *gin.RouterGroup) {
	d := forms.Group("dashboard", s.signedIn)
	if s.deps.Funding != nil && s.deps.Flattrs != nil {
		d.GET("", s.funderDashboard)
		d.POST("/budget", s.postBudget)
		if s.deps.TopUps != nil {
			d.POST("/topup", s.postTopUpForm)
		}
		d.POST("/flattrs/:id", s.postFlattrChange)
		d.POST("/flattrs/:id/undo", s.postFlattrUndo)
		if s.deps.Subscriptions != nil {
			d.POST("/subscriptions/:id/cancel", s.postSubscriptionCancel)
		}
	}
	if s.deps.Statements != nil {
		d.GET("/creator", s.creatorDashboard)
		d.GET("/statements/:file", s.getStatement)
		if s.deps.Claims != nil {
			d.POST("/claims", s.postClaim)
			d.POST("/claims/:id/verify", s.postClaimVerify)
		}
	}
}

// funderForm is what a refused form of the funder dashboard sends back to
// the page: the field's error and what was typed.
type funderForm struct {
	Status    int
	Budget    string // typed
	BudgetErr string
	TopUp     string // typed
	TopUpErr  string
	FlattrID  int64
	Weight    string
	WeightErr string
	Tip       string
	TipErr    string
	FlattrErr string // an error of the flattr as a whole (undo)
	Flash     string // what was done
}

// flattrRow is one of this month's flattrs on the dashboard.
type flattrRow struct {
	ID                     int64
	Title, URL, Owner      string
	Weight, Tip            string // the values of the form's fields
	WeightErr, TipErr, Err string
	State                  string
	Live                   bool
}

// projectionRow is a line of the projection's table.
type projectionRow struct {
	Thing, Recipient, Goes, Amount string
}

// funderDashboard is GET /dashboard.
func (s *Server) funderDashboard(c *gin.Context) {
	s.renderFunder(c, funderForm{Status: http.StatusOK, Flash: flashOf(c.Query("done"))})
}

// flashOf is the sentence shown after a form that worked (the form
// redirects here with ?done=).
func flashOf(done string) string {
	return map[string]string{
		"budget": "Budget saved.", "flattr": "Flattr changed.", "undo": "Flattr undone.", "claim": "Claim checked.",
		"subscription": "Subscription cancelled: this month's flattr stays.",
	}[done]
}

// renderFunder shows the funder dashboard, with form's errors and typed
// values when a form was refused.
func (s *Server) renderFunder(c *gin.Context, form funderForm) {
	ctx, u := c.Request.Context(), currentUser(c)
	locale := localeOf(c)
	p, err := s.deps.Funding.Project(ctx, s.funder(c), app.MonthOf(time.Now()))
	if err != nil {
		s.fail(c, err)
		return
	}
	list, err := s.deps.Flattrs.List(ctx, u.Username, "")
	if err != nil {
		s.fail(c, err)
		return
	}
	rows, titles := flattrRows(list, form, p.Amount.Currency)
	budget := form.Budget
	if form.BudgetErr == "" {
		budget = p.Budget.Decimal()
	}
	data := gin.H{
		"Title": "Dashboard", "Month": p.Month, "Wallet": p.Wallet.Format(locale), "BudgetShown": p.Budget.Format(locale),
		"Currency": p.Budget.Currency, "Budget": budget, "BudgetErr": form.BudgetErr, "Flash": form.Flash,
		"CanTopUp": s.deps.TopUps != nil, "TopUp": form.TopUp, "TopUpErr": form.TopUpErr,
		"Flattrs": rows, "MinWeight": app.MinWeight, "MaxWeight": app.MaxWeight,
		"Total": p.Amount.Format(locale), "Fee": p.Fee.Format(locale),
	}
	data["Chart"], data["Projection"] = projectionOf(p, titles, locale)
	if s.deps.Subscriptions != nil {
		subs, err := s.deps.Subscriptions.Subscriptions(ctx, u.Username)
		if err != nil {
			s.fail(c, err)
			return
		}
		data["Subscriptions"], data["HasSubscriptions"] = subscriptionRows(subs, titles, s.userLocation(c)), true
	}
	if s.deps.Statements != nil {
		past, err := s.deps.Statements.Spending(ctx, s.funder(c), "")
		if err != nil {
			s.fail(c, err)
			return
		}
		data["Past"] = spendingRows(past, titles, locale)
		for _, m := range past {
			data["Closed"] = data["Closed"] == true || m.Month == p.Month
		}
	}
	c.Status(form.Status)
	s.render(c, "dashboard.html", data)
}

// flattrRows are this month's flattrs with the values of their forms (a
// refused form keeps what was typed), and the titles of their things.
func flattrRows(list []flattrs.Listed, form funderForm, currency string) ([]flattrRow, map[string]string) {
	titles := map[string]string{}
	rows := make([]flattrRow, 0, len(list))
	for i := range list {
		f := &list[i]
		row := flattrRow{ID: f.ID, Title: f.ThingURI, URL: f.ThingURI, Owner: f.OwnerURI, State: f.State, Live: f.Live(),
			Weight: strconv.Itoa(f.Weight)}
		if f.Thing != nil {
			row.Title, row.URL = f.Thing.Display(), f.Thing.URL
		}
		titles[f.ThingURI] = row.Title
		if f.Tip > 0 {
			row.Tip = app.Money{Minor: f.Tip, Currency: currency}.Decimal()
		}
		if form.FlattrID == f.ID {
			row.Weight, row.Tip = form.Weight, form.Tip
			row.WeightErr, row.TipErr, row.Err = form.WeightErr, form.TipErr, form.FlattrErr
		}
		rows = append(rows, row)
	}
	return rows, titles
}

// projectionOf draws the projection by thing (who gets what if the month
// closed now) and lists its lines.
func projectionOf(p *months.Projection, titles map[string]string, locale string) (barChart, []projectionRow) {
	sums := map[string]int64{}
	var order []string
	rows := make([]projectionRow, 0, len(p.Lines))
	for _, l := range p.Lines {
		if _, ok := sums[l.ThingURI]; !ok {
			order = append(order, l.ThingURI)
		}
		sums[l.ThingURI] += l.Amount
		rows = append(rows, projectionRow{Thing: titleOr(titles, l.ThingURI), Recipient: l.RecipientURI, Goes: goesTo(l.Account.Kind),
			Amount: app.Money{Minor: l.Amount, Currency: p.Amount.Currency}.Format(locale)})
	}
	bars := make([]amountBar, 0, len(order))
	for _, uri := range order {
		bars = append(bars, amountBar{Label: titleOr(titles, uri), Amount: app.Money{Minor: sums[uri], Currency: p.Amount.Currency}})
	}
	ch := newBarChart("projection", "Who gets what if the month closed now",
		"Each bar is one thing you flattred this month and what it would receive: your budget shared by weight, plus tips.", locale, bars)
	return ch, rows
}

func titleOr(titles map[string]string, uri string) string {
	if t := titles[uri]; t != "" {
		return t
	}
	return uri
}

// goesTo says in words where a line's money goes.
func goesTo(kind string) string {
	switch kind {
	case app.AccountCreator:
		return "its creator here"
	case app.AccountPayable:
		return "its creator's server"
	case app.AccountEscrow:
		return "held until its creator is known"
	}
	return kind
}

// pastMonth is a closed month on the dashboard.
type pastMonth struct {
	Month, Amount, Fee string
	Lines              []projectionRow
}

func spendingRows(ms []statements.MonthSpending, titles map[string]string, locale string) []pastMonth {
	out := make([]pastMonth, 0, len(ms))
	for _, m := range ms {
		pm := pastMonth{Month: m.Month, Amount: m.Amount.Format(locale), Fee: m.Fee.Format(locale)}
		for _, l := range m.Lines {
			pm.Lines = append(pm.Lines, projectionRow{Thing: titleOr(titles, l.ThingURI), Recipient: l.RecipientURI, Goes: goesTo(l.Account.Kind),
				Amount: app.Money{Minor: l.Amount, Currency: m.Amount.Currency}.Format(locale)})
		}
		out = append(out, pm)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Month > out[j].Month })
	return out
}

// postBudget is POST /dashboard/budget (amount).
func (s *Server) postBudget(c *gin.Context) {
	ctx := c.Request.Context()
	typed := strings.TrimSpace(c.PostForm("amount"))
	cur, err := s.deps.Funding.Budget(ctx, s.funder(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	m, err := app.ParseMoney(typed, cur.Currency)
	if err == nil {
		err = s.deps.Funding.SetBudget(ctx, s.funder(c), m)
	}
	if err != nil {
		s.refuseFunder(c, err, funderForm{Budget: typed, BudgetErr: app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard?done=budget#budget")
}

// postTopUpForm is POST /dashboard/topup (amount): it sends the funder
// to the payment provider's page.
func (s *Server) postTopUpForm(c *gin.Context) {
	typed := strings.TrimSpace(c.PostForm("amount"))
	m, err := app.ParseMoney(typed, s.deps.Currency)
	var pay string
	if err == nil {
		pay, err = s.deps.TopUps.StartTopUp(c.Request.Context(), currentUser(c).Username, m)
	}
	if err != nil {
		s.refuseFunder(c, err, funderForm{TopUp: typed, TopUpErr: app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, pay)
}

// refuseFunder shows the dashboard again with a form's error. A provider
// or server that cannot be reached is said there too; other internal
// errors go through fail.
func (s *Server) refuseFunder(c *gin.Context, err error, form funderForm) {
	form.Status = ErrorStatus(err)
	if form.Status >= 500 && app.ErrorCode(err) != app.EUNAVAILABLE {
		s.fail(c, err)
		return
	}
	logger(c).Info("form refused", "page", "dashboard", "err", err)
	s.renderFunder(c, form)
}

// postFlattrChange is POST /dashboard/flattrs/:id (weight, tip): change
// this month's flattr in place. An empty tip leaves the tip alone; "0"
// removes it.
func (s *Server) postFlattrChange(c *gin.Context) {
	id, err := flattrID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	ctx, user := c.Request.Context(), currentUser(c).Username
	form := funderForm{FlattrID: id, Weight: strings.TrimSpace(c.PostForm("weight")), Tip: strings.TrimSpace(c.PostForm("tip"))}
	weight, werr := strconv.Atoi(form.Weight)
	if werr != nil {
		werr = app.Errorf(app.EINVALID, "weight must be a number from %d to %d", app.MinWeight, app.MaxWeight)
	} else {
		werr = app.CheckWeight(weight)
	}
	var tip *int64
	var terr error
	if form.Tip != "" {
		var m app.Money
		if m, terr = app.ParseMoney(form.Tip, s.deps.Currency); terr == nil {
			tip = &m.Minor
		}
	}
	if werr != nil || terr != nil {
		form.WeightErr, form.TipErr = messageOf(werr), messageOf(terr)
		s.refuseFunder(c, app.Errorf(app.EINVALID, "the flattr was not changed"), form)
		return
	}
	f, err := s.deps.Flattrs.Get(ctx, user, id)
	if err == nil && tip != nil && *tip != f.Tip {
		_, err = s.deps.Flattrs.SetTip(ctx, user, id, *tip)
		if err != nil {
			form.TipErr = app.ErrorMessage(err)
		}
	}
	if err == nil && weight != f.Weight {
		if _, err = s.deps.Flattrs.ChangeWeight(ctx, user, id, weight); err != nil {
			form.WeightErr = app.ErrorMessage(err)
		}
	}
	if err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			s.fail(c, err)
			return
		}
		if form.WeightErr == "" && form.TipErr == "" {
			form.FlattrErr = app.ErrorMessage(err)
		}
		s.refuseFunder(c, err, form)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard?done=flattr#flattr-"+strconv.FormatInt(id, 10))
}

func messageOf(err error) string {
	if err == nil {
		return ""
	}
	return app.ErrorMessage(err)
}

// postFlattrUndo is POST /dashboard/flattrs/:id/undo.
func (s *Server) postFlattrUndo(c *gin.Context) {
	id, err := flattrID(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if _, err := s.deps.Flattrs.Undo(c.Request.Context(), currentUser(c).Username, id); err != nil {
		if app.ErrorCode(err) == app.ENOTFOUND {
			s.fail(c, err)
			return
		}
		s.refuseFunder(c, err, funderForm{FlattrID: id, FlattrErr: app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard?done=undo#flattrs")
}

// subscriptionRow is a subscription on the funder dashboard.
type subscriptionRow struct {
	ID               int64
	Thing, URI       string
	Weight           int
	LastMonth, Since string
}

// subscriptionRows are the funder's subscriptions still running, their
// dates in loc (the user's time zone).
func subscriptionRows(subs []app.Subscription, titles map[string]string, loc *time.Location) []subscriptionRow {
	out := []subscriptionRow{}
	for _, sub := range subs {
		if sub.CancelledAt == nil {
			out = append(out, subscriptionRow{ID: sub.ID, Thing: titleOr(titles, sub.ThingURI), URI: sub.ThingURI, Weight: sub.Weight,
				LastMonth: sub.LastMonth, Since: sub.CreatedAt.In(loc).Format("2006-01-02")})
		}
	}
	return out
}

// postSubscriptionCancel is POST /dashboard/subscriptions/:id/cancel:
// no more flattrs from it; this month's flattr stays.
func (s *Server) postSubscriptionCancel(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no subscription %q", c.Param("id")))
		return
	}
	if _, err := s.deps.Subscriptions.Cancel(c.Request.Context(), currentUser(c).Username, id); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard?done=subscription#subscriptions")
}

// localeOf is the first language of the request's Accept-Language, for
// formatting amounts; "en" when it names none.
func localeOf(c *gin.Context) string {
	tag, _, _ := strings.Cut(c.GetHeader("Accept-Language"), ",")
	tag, _, _ = strings.Cut(tag, ";")
	tag = strings.TrimSpace(tag)
	if tag == "" || tag == "*" || len(tag) > 35 {
		return "en"
	}
	return tag
}
