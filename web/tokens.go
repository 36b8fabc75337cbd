package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// tokenJSON is an API token as its owner sees it; the secret itself is
// shown only once, when the token is made.
type tokenJSON struct {
	ID         int64   `json:"id"`
	Name       string  `json:"name"`
	Scope      string  `json:"scope"` // space-separated, as in Mastodon's Token entity
	State      string  `json:"state"` // active, expired or revoked
	Current    bool    `json:"current"`
	CreatedAt  string  `json:"created_at"`
	ExpiresAt  *string `json:"expires_at"`
	LastUsedAt *string `json:"last_used_at"`
	RevokedAt  *string `json:"revoked_at"`
}

// formatOptionalTime formats t, or gives nil for no time.
func formatOptionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	v := formatTime(*t)
	return &v
}

func (s *Server) toTokenJSON(c *gin.Context, t *app.APIToken) tokenJSON {
	a := tokenAccess(c)
	return tokenJSON{
		ID: t.ID, Name: t.Name, Scope: t.Scopes, State: s.deps.Accounts.TokenState(t),
		Current:   a != nil && a.Token.ID == t.ID,
		CreatedAt: formatTime(t.CreatedAt), ExpiresAt: formatOptionalTime(t.ExpiresAt),
		LastUsedAt: formatOptionalTime(t.LastUsedAt), RevokedAt: formatOptionalTime(t.RevokedAt),
	}
}

// listTokens is GET /api/v1/tokens: the user's tokens, revoked and expired
// ones included, oldest first.
func (s *Server) listTokens(c *gin.Context) {
	list, err := s.deps.Accounts.Tokens(c.Request.Context(), currentUser(c).Username)
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]tokenJSON, 0, len(list))
	for i := range list {
		out = append(out, s.toTokenJSON(c, &list[i]))
	}
	c.JSON(http.StatusOK, out)
}

// revokeToken is DELETE /api/v1/tokens/:id: the owner revokes one of their
// tokens (the one in use too); another user's token is 404.
func (s *Server) revokeToken(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.fail(c, app.Errorf(app.EINVALID, "token id must be a number"))
		return
	}
	t, err := s.deps.Accounts.RevokeOwnToken(c.Request.Context(), currentUser(c).Username, id)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, s.toTokenJSON(c, t))
}
