package web

import (
	"github.com/gin-gonic/gin"
)

// passwordPage is GET /account/password.
func (s *Server) passwordPage(c *gin.Context) {
	s.renderPassword(c, newAdminForm(c))
}

func (s *Server) renderPassword(c *gin.Context, f adminForm) {
	c.Status(f.Status)
	s.render(c, "account_password.html", gin.H{"Title": "Change your password", "F": f})
}

// postPassword is POST /account/password (current, password, confirm):
// each error shows next to its field; the passwords are never sent back.
func (s *Server) postPassword(c *gin.Context) {
	f := typed(c, "password", "current", "password", "confirm")
	err := s.deps.Accounts.ChangePassword(c.Request.Context(), currentUser(c), f.Values["current"], f.Values["password"], f.Values["confirm"])
	for k := range f.Values {
		f.Values[k] = ""
	}
	if err != nil {
		s.refuse(c, busyRetry(c, err), f, "", s.renderPassword)
		return
	}
	logger(c).Info("password changed", "user", currentUser(c).Username)
	done(c, "/account/password", "password")
}
