package instance

import (
	"context"
	"log/slog"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// profiles edits users' profiles (web.ProfileEditor) and sends the new
// Person to their followers as an Update, as Mastodon does.
type profiles struct {
	inst *Instance
}

// UpdateProfile stores the change, then publishes Update(Person) unless
// nothing was asked to change. The profile is saved even when publishing
// fails: the failure is logged, and remote servers see the new profile
// when they next fetch the actor.
func (p profiles) UpdateProfile(ctx context.Context, username string, change accounts.ProfileUpdate) (*app.User, error) {
	u, err := p.inst.Accounts.UpdateProfile(ctx, username, change)
	if err != nil || change.Empty() {
		return u, err
	}
	fed := p.inst.Federation
	if _, err := fed.Publisher.PublishProfileUpdate(ctx, u, fed.Actors.Person(u)); err != nil {
		p.inst.Logger.ErrorContext(ctx, "publish profile update", slog.String("user", u.Username), slog.Any("err", err))
	}
	return u, nil
}
