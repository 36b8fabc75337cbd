package accounts

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/plaudit/plaudit/app"
)

// Profile limits, in characters, as on Mastodon.
const (
	MaxDisplayNameLength = 100
	MaxSummaryLength     = 2000
)

// ProfileUpdate is a change to a user's profile; a nil field is left
// unchanged.
type ProfileUpdate struct {
	DisplayName               *string
	Summary                   *string // plain text
	ManuallyApprovesFollowers *bool
}

// Empty tells whether the update changes nothing.
func (p ProfileUpdate) Empty() bool {
	return p.DisplayName == nil && p.Summary == nil && p.ManuallyApprovesFollowers == nil
}

// UpdateProfile changes username's display name, summary and follower
// approval (those given in p; surrounding spaces are trimmed) and returns
// the user as stored afterwards. A display name longer than 100
// characters or a summary longer than 2000 is app.EINVALID.
func (s *Service) UpdateProfile(ctx context.Context, username string, p ProfileUpdate) (*app.User, error) {
	fields, err := profileFields(p)
	if err != nil {
		return nil, err
	}
	u, err := s.Profile(ctx, username)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return u, nil
	}
	if err := s.store.UpdateUserProfile(ctx, u.ID, fields); err != nil {
		return nil, fmt.Errorf("update profile of %s: %w", u.Username, err)
	}
	u, err = s.store.UserByID(ctx, u.ID)
	if err != nil {
		return nil, fmt.Errorf("reload profile of %s: %w", username, err)
	}
	return u, nil
}

// profileFields checks p and returns the columns it changes.
func profileFields(p ProfileUpdate) (map[string]any, error) {
	fields := map[string]any{}
	if p.DisplayName != nil {
		name := strings.TrimSpace(*p.DisplayName)
		if n := utf8.RuneCountInString(name); n > MaxDisplayNameLength {
			return nil, app.Errorf(app.EINVALID, "display name is %d characters long, at most %d are allowed", n, MaxDisplayNameLength)
		}
		fields["display_name"] = name
	}
	if p.Summary != nil {
		summary := strings.TrimSpace(*p.Summary)
		if n := utf8.RuneCountInString(summary); n > MaxSummaryLength {
			return nil, app.Errorf(app.EINVALID, "summary is %d characters long, at most %d are allowed", n, MaxSummaryLength)
		}
		fields["summary"] = summary
	}
	if p.ManuallyApprovesFollowers != nil {
		fields["manually_approves_followers"] = *p.ManuallyApprovesFollowers
	}
	return fields, nil
}
