package web

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

func (s *Server) home(c *gin.Context) {
	s.homePage(c)
}

func (s *Server) loginPage(c *gin.Context) {
	if currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	data := gin.H{"Signup": s.deps.Accounts.SignupMode()}
	s.loginNext(c, c.Query("next"), data)
	s.render(c, "login.html", data)
}

// login signs in from the form, within the per-IP and per-username limits
// on failed attempts.
func (s *Server) login(c *gin.Context) {
	username := c.PostForm("username")
	form := gin.H{"Username": username, "Signup": s.deps.Accounts.SignupMode()}
	s.loginNext(c, c.PostForm("next"), form)
	attempt, wait, err := s.logins.begin(c.ClientIP(), username)
	if err != nil {
		setRetryAfter(c, wait)
		s.formError(c, "login.html", err, form)
		return
	}
	u, err := s.deps.Accounts.Authenticate(c.Request.Context(), username, c.PostForm("password"))
	attempt.end(err)
	if err != nil {
		s.formError(c, "login.html", busyRetry(c, err), form)
		return
	}
	s.startSession(c, u)
}

// busyRetry adds Retry-After to a rate-limited answer of the accounts
// service (every password-hashing slot busy): a second is enough, a hash
// takes about 50 ms.
func busyRetry(c *gin.Context, err error) error {
	if app.ErrorCode(err) == app.ERATELIMITED {
		setRetryAfter(c, time.Second)
	}
	return err
}

func (s *Server) startSession(c *gin.Context, u *app.User) {
	token, err := s.deps.Accounts.StartSession(c.Request.Context(), u, c.Request.UserAgent())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setCookie(c, sessionCookie, token, 30*24*3600)
	logger(c).Info("signed in", "user", u.Username)
	c.Redirect(http.StatusSeeOther, safeNext(c.PostForm("next")))
}

func (s *Server) logout(c *gin.Context) {
	if token, err := c.Cookie(sessionCookie); err == nil && token != "" {
		if err := s.deps.Accounts.EndSession(c.Request.Context(), token); err != nil {
			s.fail(c, err)
			return
		}
	}
	s.setCookie(c, sessionCookie, "", -1)
	c.Redirect(http.StatusSeeOther, "/")
}

func (s *Server) signupPage(c *gin.Context) {
	s.render(c, "signup.html", gin.H{"Signup": s.deps.Accounts.SignupMode(), "Invite": c.Query("invite")})
}

func (s *Server) signup(c *gin.Context) {
	username, invite := c.PostForm("username"), c.PostForm("invite")
	u, err := s.deps.Accounts.SignUp(c.Request.Context(), username, c.PostForm("password"), invite)
	if err != nil {
		s.formError(c, "signup.html", busyRetry(c, err), gin.H{"Username": username, "Invite": invite, "Signup": s.deps.Accounts.SignupMode()})
		return
	}
	logger(c).Info("signed up", "user", u.Username)
	s.startSession(c, u)
}

// formError shows a form again with the error's safe message; internal
// errors go through fail.
func (s *Server) formError(c *gin.Context, page string, err error, data gin.H) {
	status := ErrorStatus(err)
	if status >= 500 {
		s.fail(c, err)
		return
	}
	logger(c).Info("form refused", "page", page, "err", err)
	if field := app.FieldOf(err); field != "" {
		data["Errors"] = map[string]string{field: app.ErrorMessage(err)}
	} else {
		data["Error"] = app.ErrorMessage(err)
	}
	c.Status(status)
	s.render(c, page, data)
}
