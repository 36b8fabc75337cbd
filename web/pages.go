package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

func (s *Server) home(c *gin.Context) {
	s.render(c, "home.html", nil)
}

func (s *Server) loginPage(c *gin.Context) {
	if currentUser(c) != nil {
		c.Redirect(http.StatusSeeOther, "/")
		return
	}
	s.render(c, "login.html", gin.H{"Signup": s.deps.Accounts.SignupMode()})
}

func (s *Server) login(c *gin.Context) {
	username := c.PostForm("username")
	u, err := s.deps.Accounts.Authenticate(c.Request.Context(), username, c.PostForm("password"))
	if err != nil {
		s.formError(c, "login.html", err, gin.H{"Username": username, "Signup": s.deps.Accounts.SignupMode()})
		return
	}
	s.startSession(c, u)
}

func (s *Server) startSession(c *gin.Context, u *app.User) {
	token, err := s.deps.Accounts.StartSession(c.Request.Context(), u, c.Request.UserAgent())
	if err != nil {
		s.fail(c, err)
		return
	}
	s.setCookie(c, sessionCookie, token, 30*24*3600)
	logger(c).Info("signed in", "user", u.Username)
	c.Redirect(http.StatusSeeOther, "/")
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
		s.formError(c, "signup.html", err, gin.H{"Username": username, "Invite": invite, "Signup": s.deps.Accounts.SignupMode()})
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
	data["Error"] = app.ErrorMessage(err)
	c.Status(status)
	s.render(c, page, data)
}
