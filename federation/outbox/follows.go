package outbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// SendFollow publishes a Follow of f.FolloweeURI by f.FollowerURI, to the
// followee, and sets f.ActivityURI (app/follows.Outbox).
func (p *Publisher) SendFollow(ctx context.Context, f *app.Follow) (*app.Activity, error) {
	id := p.newActivityID()
	doc := as2.NewActivity(id, "Follow", f.FollowerURI, f.FolloweeURI).
		With("to", []string{f.FolloweeURI}).
		With("published", p.deps.Now().UTC().Format(timeFormat))
	a, err := p.Publish(ctx, f.FollowerURI, doc, []string{f.FolloweeURI})
	if err != nil {
		return nil, err
	}
	f.ActivityURI = a.URI
	return a, nil
}

// SendUndoFollow publishes the Undo of f's Follow (app/follows.Outbox).
func (p *Publisher) SendUndoFollow(ctx context.Context, f *app.Follow) (*app.Activity, error) {
	return p.sendUndo(ctx, f.FollowerURI, f.ActivityURI)
}

// SendAnswer publishes an Accept or Reject of f from the followee to the
// follower, with the Follow embedded (Mastodon matches on its id). Its id
// is derived from the follow, so a second call finds it published and
// sends nothing (app/follows.Outbox).
func (p *Publisher) SendAnswer(ctx context.Context, f *app.Follow, accept bool) error {
	typ := "Reject"
	if accept {
		typ = "Accept"
	}
	sum := sha256.Sum256([]byte(typ + "\n" + strconv.FormatInt(f.ID, 10) + "\n" + f.ActivityURI))
	id := p.deps.URLs.Activity(hex.EncodeToString(sum[:16]))
	_, err := p.deps.Store.ActivityByURI(ctx, id)
	if err == nil {
		return nil
	}
	if !errors.Is(err, app.ErrNotFound) {
		return err
	}
	var follow any = as2.Document{"id": f.ActivityURI, "type": "Follow", "actor": f.FollowerURI, "object": f.FolloweeURI}
	if a, err := p.deps.Store.ActivityByURI(ctx, f.ActivityURI); err == nil {
		var embedded map[string]any
		if json.Unmarshal([]byte(a.Document), &embedded) == nil {
			follow = embedded
		}
	}
	doc := as2.NewActivity(id, typ, f.FolloweeURI, follow).With("to", []string{f.FollowerURI})
	if _, err := p.Publish(ctx, f.FolloweeURI, doc, []string{f.FollowerURI}); err != nil {
		return fmt.Errorf("send %s of follow %d: %w", typ, f.ID, err)
	}
	return nil
}

// sendUndo publishes an Undo of the local activity undoneURI by actorURI.
// It goes to whoever the undone activity went to and carries it embedded
// (Mastodon matches it by id).
func (p *Publisher) sendUndo(ctx context.Context, actorURI, undoneURI string) (*app.Activity, error) {
	undone, err := p.deps.Store.ActivityByURI(ctx, undoneURI)
	if err != nil {
		return nil, fmt.Errorf("activity to undo %s: %w", undoneURI, err)
	}
	var embedded map[string]any
	if err := json.Unmarshal([]byte(undone.Document), &embedded); err != nil {
		return nil, fmt.Errorf("stored activity %s: %w", undone.URI, err)
	}
	delete(embedded, "@context")
	doc := as2.NewActivity(p.newActivityID(), "Undo", actorURI, embedded).
		With("published", p.deps.Now().UTC().Format(timeFormat))
	var recipients []string
	for _, k := range addressing {
		if list := as2.IDsOf(embedded[k]); len(list) > 0 {
			doc = doc.With(k, list)
			recipients = append(recipients, list...)
		}
	}
	return p.Publish(ctx, actorURI, doc, recipients)
}
