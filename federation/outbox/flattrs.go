package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// The activities of flattrs (app/flattrs.Outbox): a flattr is a Like with
// Plaudit's weight terms, a weight change an Update of that Like, a
// withdrawal its Undo. An anonymous flattr's activities come from the
// instance actor, with ids that link to nothing else.

// flattrActor is who sends f's activities.
func (p *Publisher) flattrActor(f *app.Flattr) string {
	if f.Anonymous {
		return p.deps.URLs.InstanceActor()
	}
	return f.FunderURI
}

// likeDocument is f's Like as sent (without its @context when embedded).
func (p *Publisher) likeDocument(f *app.Flattr, owner string) as2.Document {
	doc := as2.NewActivity(f.ActivityURI, "Like", p.flattrActor(f), f.ThingURI).
		With("published", f.CreatedAt.UTC().Format(time.RFC3339Nano)).
		With("weight", f.Weight).
		With("month", f.Month).
		AddContext(as2.FlattrContext())
	if owner != "" {
		doc = doc.With("to", []string{owner})
	}
	if f.Anonymous {
		doc = doc.With("anonymous", true)
	}
	return doc
}

func recipientsOf(owner string) []string {
	if owner == "" {
		return nil
	}
	return []string{owner}
}

// SendFlattr publishes f's Like to owner ("" stores it without sending)
// and sets f.ActivityURI.
func (p *Publisher) SendFlattr(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error) {
	f.ActivityURI = p.newActivityID()
	a, err := p.Publish(ctx, p.flattrActor(f), p.likeDocument(f, owner), recipientsOf(owner))
	if err != nil {
		return nil, err
	}
	return a, nil
}

// SendFlattrChange publishes f's new weight: an Update whose object is
// f's Like with the new weight and "updated" set to the change's time.
func (p *Publisher) SendFlattrChange(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error) {
	like := p.likeDocument(f, owner).With("updated", f.ChangedAt.UTC().Format(time.RFC3339Nano))
	doc := as2.NewActivity(p.newActivityID(), "Update", p.flattrActor(f), like).
		With("published", f.ChangedAt.UTC().Format(time.RFC3339Nano)).
		AddContext(as2.FlattrContext())
	if owner != "" {
		doc = doc.With("to", []string{owner})
	}
	return p.Publish(ctx, p.flattrActor(f), doc, recipientsOf(owner))
}

// SendUndoFlattr publishes the Undo of f's Like, the Like embedded as it
// was sent.
func (p *Publisher) SendUndoFlattr(ctx context.Context, f *app.Flattr, owner string) (*app.Activity, error) {
	stored, err := p.deps.Store.ActivityByURI(ctx, f.ActivityURI)
	if err != nil {
		return nil, fmt.Errorf("like to undo %s: %w", f.ActivityURI, err)
	}
	var like map[string]any
	if err := json.Unmarshal([]byte(stored.Document), &like); err != nil {
		return nil, fmt.Errorf("stored like %s: %w", f.ActivityURI, err)
	}
	doc := as2.NewActivity(p.newActivityID(), "Undo", p.flattrActor(f), like).
		With("published", p.deps.Now().UTC().Format(timeFormat)).
		AddContext(as2.FlattrContext())
	if owner != "" {
		doc = doc.With("to", []string{owner})
	}
	return p.Publish(ctx, p.flattrActor(f), doc, recipientsOf(owner))
}
