package web

import (
	"context"
	"io"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// AdminPages are what the admin pages under /admin need beyond Accounts
// (users, invites), Moderation (blocks) and Deliveries (delivery
// failures). A nil field leaves its page out.
type AdminPages struct {
	// Wallets credits funders' wallets by hand (app/funding.Service):
	// the manual top-up provider.
	Wallets AdminWallets
	// Payouts lists payout batches, exports and closes them.
	Payouts AdminPayouts
	// Peers shows the servers this one settles with and confirms
	// settlements.
	Peers AdminPeers
	// Queues serves the job queues' UI (asynqmon) under /admin/queues.
	Queues http.Handler
	// Settings are the instance's settings, shown read-only.
	Settings []AdminSetting
}

// AdminWallets credits and reads wallets (implemented by
// app/funding.Service).
type AdminWallets interface {
	Credit(ctx context.Context, username string, amount app.Money, provider, ref string) (*app.Transaction, error)
	Balance(ctx context.Context, username string) (app.Money, error)
}

// AdminPayouts are the admin's payout use cases.
type AdminPayouts interface {
	// Batches lists the latest batches, newest first, with their payouts.
	Batches(ctx context.Context, limit int) ([]*app.PayoutBatch, error)
	// Run makes a batch of the creators due a payout.
	Run(ctx context.Context) (*app.PayoutBatch, error)
	MarkPaid(ctx context.Context, id, ref string) (*app.PayoutBatch, error)
	Fail(ctx context.Context, id, creatorURI, reason string) (*app.Payout, error)
	// Export writes batch id as "csv" or "pain001" (SEPA credit
	// transfers) and returns the file's name and media type.
	Export(ctx context.Context, w io.Writer, id, format string) (name, mediaType string, err error)
}

// AdminSetting is one setting of the instance, as configured.
type AdminSetting struct {
	Key, Value, Help string
}

// manualProvider is the ledger name of wallet credits an admin records by
// hand.
const manualProvider = "manual"

// adminPageRoutes adds the admin pages, for signed-in admins only: a
// signed-out visitor is sent to the login page, anyone else gets 403.
// Forms are CSRF-protected by the forms group.
func (s *Server) adminPageRoutes(e *gin.Engine, forms *gin.RouterGroup) {
	a := forms.Group("admin", s.adminPage)
	a.GET("", s.adminHome)
	a.GET("/users", s.adminUsers)
	a.POST("/invites", s.postAdminInvite)
	a.POST("/users/:name/suspend", s.postAdminSuspend)
	a.POST("/users/:name/unsuspend", s.postAdminUnsuspend)
	if s.deps.Admin.Wallets != nil {
		a.POST("/credits", s.postAdminCredit)
	}
	a.GET("/settings", s.adminSettings)
	account := forms.Group("account", s.signedIn)
	account.GET("/password", s.passwordPage)
	account.POST("/password", s.postPassword)
	s.adminMoneyRoutes(a)
	s.adminFederationPageRoutes(a)
	s.adminPeerRoutes(a)
	s.adminQueueRoutes(e)
}

// adminPage lets signed-in admins through, under the page CSP.
func (s *Server) adminPage(c *gin.Context) {
	u := currentUser(c)
	if u == nil {
		s.toLogin(c)
		return
	}
	setCSP(c, cspPage)
	if !u.Admin {
		s.fail(c, app.Errorf(app.EFORBIDDEN, "only admins may see this page"))
		return
	}
	c.Next()
}

// adminForm is a form of an admin page sent back with its errors and
// what was typed, or a page shown after a form worked (Flash).
type adminForm struct {
	Status int
	Form   string            // which form of the page was sent
	Values map[string]string // what was typed, by field
	Errors map[string]string // the errors, by field
	Error  string            // an error of the form as a whole
	Flash  string            // what was done
	Done   string            // its key (?done=), the flash's id
}

// newAdminForm is the form state of a page shown by GET: ?done= names
// what the form before the redirect did.
func newAdminForm(c *gin.Context) adminForm {
	f := adminForm{Status: http.StatusOK, Values: map[string]string{}, Errors: map[string]string{}, Flash: adminFlash[c.Query("done")]}
	if f.Flash != "" {
		f.Done = c.Query("done")
	}
	return f
}

var adminFlash = map[string]string{
	"suspend": "User suspended: they are signed out and their tokens refused.", "unsuspend": "Suspension lifted.",
	"credit": "Wallet credited.", "paid": "Batch marked paid.", "failed": "Payout marked failed: its money is back on the creator's balance.",
	"run": "Payout run done.", "retry": "Delivery queued again.", "block": "Block added.", "unblock": "Block removed.",
	"settled": "Settlement confirmed.", "password": "Password changed.",
}

// typed is the form state of a POST: the named fields as typed.
func typed(c *gin.Context, form string, fields ...string) adminForm {
	f := adminForm{Status: http.StatusOK, Form: form, Values: map[string]string{}, Errors: map[string]string{}}
	for _, name := range fields {
		f.Values[name] = c.PostForm(name)
	}
	return f
}

// refuse shows page again with err next to its field (or field, when err
// names none; or above the form, when field is ""). Internal errors go
// through fail.
func (s *Server) refuse(c *gin.Context, err error, f adminForm, field string, page func(*gin.Context, adminForm)) {
	f.Status = ErrorStatus(err)
	if f.Status >= 500 {
		s.fail(c, err)
		return
	}
	logger(c).Info("form refused", "path", c.Request.URL.Path, "err", err)
	if named := app.FieldOf(err); named != "" {
		field = named
	}
	if _, ok := f.Values[field]; ok {
		f.Errors[field] = app.ErrorMessage(err)
	} else {
		f.Error = app.ErrorMessage(err)
	}
	page(c, f)
}

// done redirects to path after a form worked, saying what with ?done=.
func done(c *gin.Context, path, what string) {
	c.Redirect(http.StatusSeeOther, path+"?done="+what)
}

// renderAdmin shows an admin page with the form state and the section
// for the navigation.
func (s *Server) renderAdmin(c *gin.Context, page, section, title string, f adminForm, data gin.H) {
	data["Title"], data["Section"], data["F"] = title, section, f
	data["HasPayouts"], data["HasPeers"], data["HasQueues"] = s.deps.Admin.Payouts != nil, s.deps.Admin.Peers != nil, s.deps.Admin.Queues != nil
	data["HasDeliveries"], data["HasBlocks"] = s.deps.Deliveries != nil, s.deps.Moderation != nil
	c.Status(f.Status)
	s.render(c, page, data)
}

// adminHome is GET /admin.
func (s *Server) adminHome(c *gin.Context) {
	s.renderAdmin(c, "admin_home.html", "", "Admin", newAdminForm(c), gin.H{})
}

// adminSettings is GET /admin/settings: the configuration, read-only
// (settings change in the configuration file or environment, then a
// restart).
func (s *Server) adminSettings(c *gin.Context) {
	s.renderAdmin(c, "admin_settings.html", "settings", "Instance settings", newAdminForm(c), gin.H{"Settings": s.deps.Admin.Settings})
}
