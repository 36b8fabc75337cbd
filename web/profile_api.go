package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// ProfileEditor changes a user's profile and tells their followers
// (implemented in cmd/plaudit/instance on accounts.Service and the
// outbox).
type ProfileEditor interface {
	UpdateProfile(ctx context.Context, username string, p accounts.ProfileUpdate) (*app.User, error)
}

// profileRoutes adds PATCH /api/v1/me when Deps.Profiles is set.
func (s *Server) profileRoutes(api *gin.RouterGroup) {
	if s.deps.Profiles == nil {
		return
	}
	api.PATCH("/me", s.requireScope("write:accounts"), s.patchMe)
}

// profilePatch is the body of PATCH /api/v1/me; absent fields stay as
// they are.
type profilePatch struct {
	DisplayName               *string `json:"display_name"`
	Summary                   *string `json:"summary"`
	ManuallyApprovesFollowers *bool   `json:"manually_approves_followers"`
}

// patchMe edits the bearer token's user's profile and answers with the
// profile as GET /api/v1/me shows it, plus the editable fields.
func (s *Server) patchMe(c *gin.Context) {
	if ct := c.ContentType(); ct != "" && !strings.Contains(ct, "json") {
		s.fail(c, app.Errorf(app.EINVALID, "send the profile as application/json"))
		return
	}
	var p profilePatch
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		s.fail(c, decodeError(err))
		return
	}
	if dec.More() {
		s.fail(c, app.Errorf(app.EINVALID, "send one JSON object"))
		return
	}
	u, err := s.deps.Profiles.UpdateProfile(c.Request.Context(), currentUser(c).Username, accounts.ProfileUpdate{
		DisplayName: p.DisplayName, Summary: p.Summary, ManuallyApprovesFollowers: p.ManuallyApprovesFollowers,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{
		"username": u.Username, "acct": u.Username + "@" + s.deps.Domain, "admin": u.Admin,
		"display_name": u.DisplayName, "summary": u.Summary, "manually_approves_followers": u.ManuallyApprovesFollowers,
	})
}

// decodeError turns a failed JSON decode into an app error.
func decodeError(err error) error {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return readError(err)
	case errors.Is(err, io.EOF):
		return app.Errorf(app.EINVALID, "the request body is empty; send a JSON object")
	}
	return &app.Error{Code: app.EINVALID, Message: "malformed profile: " + err.Error(), Err: err}
}
