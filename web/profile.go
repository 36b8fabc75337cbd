package web

import (
	"github.com/gin-gonic/gin"
)

// ProfilePage is the HTML page of a local user, at /@name and for browsers
// at the actor URL /users/name (whose JSON-LD the federation package serves).
// With Deps.Pages it lists their things, counts and payment links.
func (s *Server) ProfilePage(c *gin.Context) {
	if s.deps.Pages != nil {
		s.localProfilePage(c)
		return
	}
	u, err := s.deps.Accounts.Profile(c.Request.Context(), c.Param("name"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Vary", "Accept")
	s.render(c, "profile.html", gin.H{
		"Title":     u.DisplayName,
		"Profile":   u,
		"Actor":     s.deps.BaseURL + "/users/" + u.Username,
		"Alternate": s.deps.BaseURL + "/users/" + u.Username,
		"FlattrURL": flattrPath(s.deps.BaseURL + "/users/" + u.Username),
	})
}
