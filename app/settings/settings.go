// Package settings holds the use cases of a user's own settings: privacy
// (flattr anonymously by default, show their name to creators) and the
// time zone their pages show times in.
package settings

import (
	"context"
	"fmt"
	"strings"
	"time"
	// Zones load on hosts without a zoneinfo database (scratch images).
	_ "time/tzdata"

	"github.com/plaudit/plaudit/app"
)

// Store reads users and stores their settings (implemented by
// app/store.Users).
type Store interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	UserSettings(ctx context.Context, userID int64) (app.UserSettings, error)
	SaveUserSettings(ctx context.Context, s app.UserSettings) error
}

// Service runs the settings use cases.
type Service struct {
	Store Store
	Now   func() time.Time // nil is time.Now
}

// Change is what a user asks to set; every field is set.
type Change struct {
	AnonymousByDefault bool
	ShowName           bool
	TimeZone           string
}

// FieldError is a refused change: the field it is about and why.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// Get is username's settings.
func (s *Service) Get(ctx context.Context, username string) (app.UserSettings, error) {
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil {
		return app.UserSettings{}, fmt.Errorf("settings of %s: %w", username, err)
	}
	return s.Store.UserSettings(ctx, u.ID)
}

// Update checks and saves username's settings. A time zone that is not
// an IANA zone name is refused as a *FieldError of "time_zone".
func (s *Service) Update(ctx context.Context, username string, c Change) (app.UserSettings, error) {
	zone, err := CheckZone(c.TimeZone)
	if err != nil {
		return app.UserSettings{}, &FieldError{Field: "time_zone", Err: err}
	}
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil {
		return app.UserSettings{}, fmt.Errorf("settings of %s: %w", username, err)
	}
	us := app.UserSettings{UserID: u.ID, AnonymousByDefault: c.AnonymousByDefault, ShowName: c.ShowName, TimeZone: zone, UpdatedAt: s.now()}
	if err := s.Store.SaveUserSettings(ctx, us); err != nil {
		return app.UserSettings{}, fmt.Errorf("save settings of %s: %w", username, err)
	}
	return us, nil
}

// Anonymous tells whether a flattr asked with anonymous from the web is
// made anonymously under us: always when the user hides their name.
func Anonymous(us app.UserSettings, asked bool) bool {
	return asked || !us.ShowName
}

// CheckZone returns the IANA zone name typed, or why it is not one.
// Empty is UTC.
func CheckZone(typed string) (string, error) {
	zone := strings.TrimSpace(typed)
	if zone == "" {
		return "UTC", nil
	}
	if len(zone) > 64 || strings.HasPrefix(zone, "/") || strings.Contains(zone, "..") || strings.EqualFold(zone, "local") {
		return "", app.Errorf(app.EINVALID, "%q is not a time zone: use a name like Europe/Berlin or America/New_York", typed)
	}
	if _, err := time.LoadLocation(zone); err != nil {
		return "", app.Errorf(app.EINVALID, "%q is not a time zone: use a name like Europe/Berlin or America/New_York", typed)
	}
	return zone, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
