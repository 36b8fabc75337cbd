package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// CreateInvite inserts an invite.
func (s *Invites) CreateInvite(ctx context.Context, inv *app.Invite) error {
	return translate(s.conn(ctx).Create(inv).Error, "invite")
}
