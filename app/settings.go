package app

import "time"

// UserSettings are a user's choices that are not part of their public
// profile: how they flattr from the web and the time zone the pages show
// times in.
type UserSettings struct {
	UserID int64
	// AnonymousByDefault starts the flattr form with "anonymously"
	// ticked.
	AnonymousByDefault bool
	// ShowName lets creators learn who flattred them; when false every
	// flattr is anonymous, from the web, the API, a Mastodon app, a
	// mention or auto-flattr alike (app/flattrs Deps.Privacy).
	ShowName bool
	// TimeZone is an IANA zone name, e.g. Europe/Berlin.
	TimeZone  string
	UpdatedAt time.Time
}

// DefaultUserSettings are the settings of a user who never chose any.
func DefaultUserSettings(userID int64) UserSettings {
	return UserSettings{UserID: userID, AnonymousByDefault: true, ShowName: true, TimeZone: "UTC"}
}

// Location is the settings' time zone, UTC when it is unknown.
func (s UserSettings) Location() *time.Location {
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && s.TimeZone != "" {
		return loc
	}
	return time.UTC
}
