package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// submitUndo publishes an Undo of one of the user's own Follow or Like
// activities, named by id or embedded. It goes to whoever the undone
// activity went to, carries the undone activity embedded (Mastodon
// matches it by id) and removes the follow or like it had recorded.
func (p *Publisher) submitUndo(ctx context.Context, s *submission) (*app.Activity, error) {
	target := as2.IDOf(s.doc["object"])
	if target == "" {
		return nil, app.Errorf(app.EINVALID, "an Undo needs an object: the id of your activity to undo")
	}
	undone, err := p.deps.Store.ActivityByURI(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("activity to undo %s: %w", target, err)
	}
	if !undone.Local || undone.ActorURI != s.actor {
		return nil, app.Errorf(app.EFORBIDDEN, "you can only undo your own activities")
	}
	if undone.Type != "Follow" && undone.Type != "Like" {
		return nil, app.Errorf(app.EINVALID, "only a Follow or a Like can be undone, not a %s", undone.Type)
	}
	var embedded map[string]any
	if err := json.Unmarshal([]byte(undone.Document), &embedded); err != nil {
		return nil, fmt.Errorf("stored activity %s: %w", undone.URI, err)
	}
	delete(embedded, "@context")
	s.doc["object"] = embedded
	for _, k := range addressing {
		delete(s.doc, k)
		if list := as2.IDsOf(embedded[k]); len(list) > 0 {
			s.doc[k] = list
		}
	}
	doc, recipients := s.finish(p.newActivityID())
	return p.publish(ctx, s.actor, doc, recipients, func(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
		return p.deps.Store.PublishUndo(ctx, a, undone, inboxes, now)
	})
}
