package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// userRow is a user on the admin's users page.
type userRow struct {
	Username, Since, Wallet string
	Admin, Suspended, Self  bool
	Protected               bool
	SuspendedSince          string
}

// adminUsers is GET /admin/users.
func (s *Server) adminUsers(c *gin.Context) {
	s.renderUsers(c, newAdminForm(c))
}

// renderUsers shows the users, the invite form and the wallet credit form.
func (s *Server) renderUsers(c *gin.Context, f adminForm) {
	ctx, me, locale := c.Request.Context(), currentUser(c), localeOf(c)
	users, err := s.deps.Accounts.Users(ctx)
	if err != nil {
		s.fail(c, err)
		return
	}
	rows := make([]userRow, 0, len(users))
	for _, u := range users {
		r := userRow{Username: u.Username, Since: u.CreatedAt.UTC().Format("2006-01-02"), Admin: u.Admin,
			Suspended: u.SuspendedAt != nil, Self: u.ID == me.ID, Protected: s.deps.Accounts.Protected(u.Username)}
		if u.SuspendedAt != nil {
			r.SuspendedSince = u.SuspendedAt.UTC().Format("2006-01-02 15:04 UTC")
		}
		if s.deps.Admin.Wallets != nil {
			balance, err := s.deps.Admin.Wallets.Balance(ctx, u.Username)
			if err != nil {
				s.fail(c, err)
				return
			}
			r.Wallet = balance.Format(locale)
		}
		rows = append(rows, r)
	}
	s.renderAdmin(c, "admin_users.html", "users", "Users", f, gin.H{
		"Users": rows, "CanCredit": s.deps.Admin.Wallets != nil, "Currency": s.deps.Currency,
		"InviteURL": c.GetString(ctxInviteURL), "SignupMode": s.deps.Accounts.SignupMode(),
	})
}

const ctxInviteURL = "plaudit.invite_url"

// postAdminInvite is POST /admin/invites: makes an invite and shows its
// sign-up link, once (only its hash is kept).
func (s *Server) postAdminInvite(c *gin.Context) {
	code, err := s.deps.Accounts.CreateInvite(c.Request.Context(), currentUser(c))
	if err != nil {
		s.fail(c, err)
		return
	}
	logger(c).Info("invite created", "by", currentUser(c).Username)
	c.Set(ctxInviteURL, strings.TrimSuffix(s.deps.BaseURL, "/")+"/signup?invite="+url.QueryEscape(code))
	s.renderUsers(c, adminForm{Status: http.StatusOK, Form: "invite", Values: map[string]string{}, Errors: map[string]string{},
		Flash: "Invite created: send this link to the person you invite. It works once and is shown only now."})
}

// postAdminSuspend is POST /admin/users/:name/suspend.
func (s *Server) postAdminSuspend(c *gin.Context) {
	if _, err := s.deps.Accounts.Suspend(c.Request.Context(), currentUser(c), c.Param("name")); err != nil {
		s.refuse(c, err, typed(c, "suspend"), "", s.renderUsers)
		return
	}
	logger(c).Info("user suspended", "user", c.Param("name"), "by", currentUser(c).Username)
	done(c, "/admin/users", "suspend")
}

// postAdminUnsuspend is POST /admin/users/:name/unsuspend.
func (s *Server) postAdminUnsuspend(c *gin.Context) {
	if _, err := s.deps.Accounts.Unsuspend(c.Request.Context(), c.Param("name")); err != nil {
		s.refuse(c, err, typed(c, "suspend"), "", s.renderUsers)
		return
	}
	logger(c).Info("user unsuspended", "user", c.Param("name"), "by", currentUser(c).Username)
	done(c, "/admin/users", "unsuspend")
}

// postAdminCredit is POST /admin/credits (username, amount, ref): the
// admin records a payment received by hand, which the ledger books from
// the manual provider into the user's wallet. The same ref again changes
// nothing.
func (s *Server) postAdminCredit(c *gin.Context) {
	f := typed(c, "credit", "username", "amount", "ref")
	amount, err := app.ParseMoney(strings.TrimSpace(f.Values["amount"]), s.deps.Currency)
	if err != nil {
		s.refuse(c, err, f, "amount", s.renderUsers)
		return
	}
	if _, err := s.deps.Admin.Wallets.Credit(c.Request.Context(), f.Values["username"], amount, manualProvider, f.Values["ref"]); err != nil {
		s.refuse(c, err, f, "", s.renderUsers)
		return
	}
	logger(c).Info("wallet credited", "user", f.Values["username"], "amount", amount.String(), "ref", f.Values["ref"], "by", currentUser(c).Username)
	done(c, "/admin/users", "credit")
}
