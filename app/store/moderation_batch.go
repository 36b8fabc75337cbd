package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// ActorsBlockedBy tells which of actorURIs blockedBy blocks, in one query.
func (s *Blocks) ActorsBlockedBy(ctx context.Context, blockedBy string, actorURIs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(actorURIs))
	if len(actorURIs) == 0 {
		return out, nil
	}
	var blocked []string
	err := s.conn(ctx).Model(&app.ActorBlock{}).Where("blocked_by = ? AND actor_uri IN ?", blockedBy, actorURIs).
		Pluck("actor_uri", &blocked).Error
	if err != nil {
		return nil, translate(err, "actor blocks")
	}
	for _, a := range blocked {
		out[a] = true
	}
	return out, nil
}
