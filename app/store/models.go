package store

import "github.com/plaudit/plaudit/app"

// Models lists every type the store keeps in a table; tests check the
// migrations against it.
func Models() []any {
	return []any{
		&app.User{}, &app.Session{}, &app.APIToken{}, &app.Invite{}, &app.JobProbe{},
	}
}
