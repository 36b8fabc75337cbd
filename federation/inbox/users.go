package inbox

import (
	"context"
	"time"
)

// userCacheTTL is how long the inbox remembers that a local user exists,
// sparing a database read on every POST to a personal inbox.
const userCacheTTL = 30 * time.Second

// userExists tells whether the local user name exists. Only hits are
// remembered: an unknown name is asked about every time.
func (in *Inbox) userExists(ctx context.Context, name string) error {
	if _, ok := in.users.Get(name); ok {
		return nil
	}
	if _, err := in.store.UserByUsername(ctx, name); err != nil {
		return err
	}
	in.users.Put(name, struct{}{})
	return nil
}
