package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/statements"
	"github.com/plaudit/plaudit/app/things"
)

// OwnedThings lists a creator's things with this month's counts
// (implemented by app/things.Lookup).
type OwnedThings interface {
	Owned(ctx context.Context, ownerURI string, limit int) ([]things.Owned, error)
}

// maxDashboardThings bounds the things the creator dashboard lists.
const maxDashboardThings = 100

// earningRow is a month's earnings, or one thing's part of them.
type earningRow struct {
	Month, Thing, Amount string
	Flattrs              int64
}

// claimRow is an ownership claim with the steps that complete it.
type claimRow struct {
	app.Claim
	Alias, ProfileLink, MetaTag string
	CheckErr                    string // why the check could not be made just now
	Checked                     string // when it was last checked, in the user's time zone
}

// creatorDashboard is GET /dashboard/creator.
func (s *Server) creatorDashboard(c *gin.Context) {
	s.renderCreator(c, http.StatusOK, gin.H{"Flash": flashOf(c.Query("done"))})
}

// renderCreator shows the creator dashboard with data (a refused form's
// errors and values).
func (s *Server) renderCreator(c *gin.Context, status int, data gin.H) {
	ctx, u, locale := c.Request.Context(), currentUser(c), localeOf(c)
	me := s.funder(c)
	e, err := s.deps.Statements.Earnings(ctx, me)
	if err != nil {
		s.fail(c, err)
		return
	}
	payouts, err := s.deps.Statements.Payouts(ctx, me)
	if err != nil {
		s.fail(c, err)
		return
	}
	data["Title"], data["Balance"] = "Creator dashboard", e.Balance.Format(locale)
	titles := map[string]string{}
	if s.deps.OwnedThings != nil {
		owned, err := s.deps.OwnedThings.Owned(ctx, me, maxDashboardThings)
		if err != nil {
			s.fail(c, err)
			return
		}
		for i := range owned {
			titles[owned[i].URI] = owned[i].Display()
		}
		data["Things"] = owned
	}
	earningsData(data, e, titles, locale)
	loc := s.userLocation(c)
	data["Payouts"] = payoutRows(payouts, locale, loc)
	if s.deps.Claims != nil {
		list, err := s.deps.Claims.List(ctx, u.Username)
		if err != nil {
			s.fail(c, err)
			return
		}
		rows := s.claimRows(u, list, loc)
		for i := range rows {
			if rows[i].ID == data["CheckID"] {
				rows[i].CheckErr, _ = data["CheckErr"].(string)
			}
		}
		data["Claims"] = rows
		data["HasClaims"] = true
	}
	c.Status(status)
	s.render(c, "dashboard_creator.html", data)
}

// earningsData adds the creator's earnings: the chart and table by
// month, the table by thing, and what waits on each peer.
func earningsData(data gin.H, e *statements.Earnings, titles map[string]string, locale string) {
	months := slices.Clone(e.Months)
	sort.SliceStable(months, func(i, j int) bool { return months[i].Month < months[j].Month })
	var bars []amountBar
	var perThing []earningRow
	for _, m := range months {
		bars = append(bars, amountBar{Label: m.Month, Amount: m.Total})
		for _, t := range m.Things {
			perThing = append(perThing, earningRow{Month: m.Month, Thing: titleOr(titles, t.Thing), Flattrs: t.Flattrs, Amount: t.Amount.Format(locale)})
		}
	}
	data["Chart"] = newBarChart("earnings", "Earnings per month",
		"Each bar is what a closed month gave you, all your things together.", locale, bars)
	data["PerThing"], data["MonthTotals"] = perThing, monthTotals(bars, locale)
	pending := make([]earningRow, 0, len(e.Pending))
	for _, p := range e.Pending {
		pending = append(pending, earningRow{Thing: p.Peer, Amount: p.Amount.Format(locale)})
	}
	data["Pending"] = pending
}

// payoutRow is a payout on the creator dashboard.
type payoutRow struct{ Date, Amount, Provider, State, Reason string }

// payoutRows are the creator's payouts, dated in loc (their time zone).
func payoutRows(ps []app.Payout, locale string, loc *time.Location) []payoutRow {
	out := make([]payoutRow, 0, len(ps))
	for _, p := range ps {
		out = append(out, payoutRow{Date: p.CreatedAt.In(loc).Format("2006-01-02"), Amount: p.Amount.Format(locale), Provider: p.Provider, State: p.State, Reason: p.Reason})
	}
	return out
}

func monthTotals(bars []amountBar, locale string) []earningRow {
	out := make([]earningRow, 0, len(bars))
	for _, b := range bars {
		out = append(out, earningRow{Month: b.Label, Amount: b.Amount.Format(locale)})
	}
	return out
}

// claimRows adds to each claim what the creator must add on the other
// side: on Mastodon, an account alias naming this account and a profile
// link to its page (which Mastodon marks rel="me"); on a site, a meta tag.
func (s *Server) claimRows(u *app.User, list []app.Claim, loc *time.Location) []claimRow {
	out := make([]claimRow, 0, len(list))
	for _, cl := range list {
		out = append(out, claimRow{
			Claim: cl, Alias: u.Username + "@" + s.deps.Domain, ProfileLink: s.deps.BaseURL + "/@" + u.Username,
			MetaTag: `<meta name="fediverse:creator" content="@` + u.Username + "@" + s.deps.Domain + `">`,
			Checked: inZone(cl.CheckedAt, loc),
		})
	}
	return out
}

// postClaim is POST /dashboard/claims (url): claim an actor or a site,
// checked at once.
func (s *Server) postClaim(c *gin.Context) {
	typed := strings.TrimSpace(c.PostForm("url"))
	if _, err := s.deps.Claims.Create(c.Request.Context(), currentUser(c).Username, typed); err != nil {
		s.refuseCreator(c, err, gin.H{"ClaimURL": typed, "ClaimErr": app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/creator?done=claim#claims")
}

// postClaimVerify is POST /dashboard/claims/:id/verify: check a claim
// again, with the use case of POST /api/v1/claims/:id/verify. A check
// that finds a link missing is not an error of the form: the claim's
// message says what is missing.
func (s *Server) postClaimVerify(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no claim %q", c.Param("id")))
		return
	}
	cl, err := s.deps.Claims.Verify(c.Request.Context(), currentUser(c).Username, id)
	if err != nil && !(cl != nil && app.ErrorCode(err) == app.EINVALID) {
		if app.ErrorCode(err) == app.ENOTFOUND {
			s.fail(c, err)
			return
		}
		s.refuseCreator(c, err, gin.H{"CheckID": id, "CheckErr": app.ErrorMessage(err)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/dashboard/creator?done=claim#claim-"+strconv.FormatInt(id, 10))
}

// refuseCreator shows the creator dashboard again with a form's error.
// The other server being unreachable is said there too; other internal
// errors go through fail.
func (s *Server) refuseCreator(c *gin.Context, err error, data gin.H) {
	status := ErrorStatus(err)
	if status >= 500 && app.ErrorCode(err) != app.EUNAVAILABLE {
		s.fail(c, err)
		return
	}
	logger(c).Info("form refused", "page", "creator dashboard", "err", err)
	s.renderCreator(c, status, data)
}
