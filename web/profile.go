package web

import (
	"github.com/gin-gonic/gin"
)

// ProfilePage is the HTML page of a local user, at /@name and for browsers
// at the actor URL /users/name (whose JSON-LD the federation package serves).
func (s *Server) ProfilePage(c *gin.Context) {
	u, err := s.deps.Accounts.Profile(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Vary", "Accept")
	s.render(c, "profile.html", gin.H{
		"Title":   u.DisplayName,
		"Profile": u,
		"Actor":   s.deps.BaseURL + "/users/" + u.Username,
	})
}
