// Package outbox publishes local actors' activities: it stores each one with
// a delivery row per target inbox in one transaction and hands the rows to
// the delivery queue, and it serves the client-to-server outbox
// (POST /users/{name}/outbox) through Submit.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
)

// Store is what the publisher reads and writes (implemented by
// app/store.Store).
type Store interface {
	InsertActivity(ctx context.Context, a *app.Activity) (bool, error)
	InsertDeliveries(ctx context.Context, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error)
	FollowerInboxes(ctx context.Context, followeeURI string) ([]string, error)
	ActivityByURI(ctx context.Context, uri string) (*app.Activity, error)
}

// ActorResolver finds remote actors (implemented by dereference.Fetcher).
type ActorResolver interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// ObjectResolver finds remote objects (implemented by dereference.Fetcher).
type ObjectResolver interface {
	Object(ctx context.Context, uri string) (*app.RemoteObject, error)
}

// ActorPolicy tells whether admins block an actor (implemented by
// moderation.Service).
type ActorPolicy interface {
	ActorBlocked(ctx context.Context, actorURI string) (bool, error)
}

// Deps are what a Publisher needs. Moderation, Now and Logger are optional.
type Deps struct {
	// Tx writes each activity with its deliveries in one transaction, or
	// in the caller's when the context carries one.
	Tx      app.Transactor
	Store   Store
	Actors  ActorResolver
	Objects ObjectResolver
	Queue   federation.Queue
	URLs    federation.URLs
	// Moderation, when set, keeps actors blocked by admins out of the
	// recipients.
	Moderation ActorPolicy
	// ResolveTimeout bounds how long resolving one activity's recipients
	// may take; those not resolved by then are left out. 0 means
	// DefaultResolveTimeout.
	ResolveTimeout time.Duration
	// Person makes a user's actor document, for profile updates.
	Person func(u *app.User) as2.Document
	Now    func() time.Time
	Logger *slog.Logger
}

// Publisher publishes local activities.
type Publisher struct {
	deps Deps
	log  *slog.Logger
}

// New returns a Publisher.
func New(deps Deps) *Publisher {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.ResolveTimeout <= 0 {
		deps.ResolveTimeout = DefaultResolveTimeout
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Publisher{deps: deps, log: log}
}

// Publish stores doc, an activity of the local actor actorURI (a user or
// the instance actor), and queues its delivery to recipients.
//
// doc must carry an id on this instance, a type, and "actor" equal to
// actorURI. Each recipient is the Public collection (the activity is
// marked public; nothing is sent), the actor's own followers collection
// (its accepted remote followers' inboxes, a shared inbox once per
// server), a local actor (the activity is handed to local inbox
// processing with Queue.EnqueueInbox, without HTTP) or a remote actor id,
// resolved to its inbox. Recipients that cannot be resolved, deleted
// actors and actors blocked by admins are left out and logged.
//
// The activity (Local, state published) and its deliveries are written in
// one transaction (the caller's, when ctx carries one: a use case writes
// its own rows in the same one); an activity id already stored is
// app.ECONFLICT. The queue is told after the commit, and a failure to
// enqueue is only logged, since the delivery sweep finds every pending
// row.
func (p *Publisher) Publish(ctx context.Context, actorURI string, doc as2.Document, recipients []string) (*app.Activity, error) {
	body, fields, err := p.checkDocument(actorURI, doc)
	if err != nil {
		return nil, err
	}
	to, err := p.resolve(ctx, actorURI, recipients)
	if err != nil {
		return nil, err
	}
	now := p.deps.Now().UTC()
	a := &app.Activity{
		URI:         as2.IDOf(fields["id"]),
		Type:        as2.TypesOf(fields)[0],
		ActorURI:    actorURI,
		ObjectURI:   as2.IDOf(fields["object"]),
		Local:       true,
		Public:      to.public,
		Document:    string(body),
		State:       app.ActivityPublished,
		CreatedAt:   now,
		ProcessedAt: &now,
	}
	err = p.deps.Tx.WithTx(ctx, func(ctx context.Context) error {
		inserted, err := p.deps.Store.InsertActivity(ctx, a)
		if err != nil {
			return err
		}
		if !inserted {
			return app.Errorf(app.ECONFLICT, "activity %s was already published", a.URI)
		}
		deliveries, err := p.deps.Store.InsertDeliveries(ctx, a, to.inboxes, now)
		if err != nil {
			return err
		}
		app.AfterCommit(ctx, func(ctx context.Context) { p.enqueue(ctx, a, to.local, deliveries) })
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish %s %s: %w", a.Type, a.URI, err)
	}
	return a, nil
}

// checkDocument validates doc and returns its JSON and its fields as
// plain JSON values.
func (p *Publisher) checkDocument(actorURI string, doc as2.Document) ([]byte, map[string]any, error) {
	if _, isUser := p.deps.URLs.LocalUsername(actorURI); !isUser && actorURI != p.deps.URLs.InstanceActor() {
		return nil, nil, app.Errorf(app.EINVALID, "%s is not a local actor", actorURI)
	}
	body, err := doc.Marshal()
	if err != nil {
		return nil, nil, fmt.Errorf("marshal activity: %w", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, nil, fmt.Errorf("reread activity: %w", err)
	}
	id := as2.IDOf(fields["id"])
	switch {
	case id == "" || !p.deps.URLs.IsLocal(id):
		return nil, nil, app.Errorf(app.EINVALID, "activity id %q is not on this instance", id)
	case len(as2.TypesOf(fields)) == 0:
		return nil, nil, app.Errorf(app.EINVALID, "activity %s has no type", id)
	case as2.IDOf(fields["actor"]) != actorURI:
		return nil, nil, app.Errorf(app.EINVALID, "activity %s is not by %s", id, actorURI)
	}
	return body, fields, nil
}

// enqueue tells the queue about a stored activity. It does not stop when
// the request that published it goes away: the activity is stored. After
// the first failure it gives up, since the queue is likely down and the
// delivery sweep enqueues every pending row anyway.
func (p *Publisher) enqueue(ctx context.Context, a *app.Activity, local bool, deliveries []app.Delivery) {
	ctx = context.WithoutCancel(ctx)
	if local {
		if err := p.deps.Queue.EnqueueInbox(ctx, a.ID); err != nil {
			p.log.WarnContext(ctx, "enqueue local processing", "activity", a.URI, "err", err)
		}
	}
	for i, d := range deliveries {
		if err := p.deps.Queue.EnqueueDelivery(ctx, d.ID, 1, time.Time{}); err != nil {
			p.log.WarnContext(ctx, "enqueue deliveries; the sweep will", "activity", a.URI, "left", len(deliveries)-i, "err", err)
			return
		}
	}
}

// Prepare resolves recipients as Publish would (fetching and caching the
// remote actors among them) and keeps nothing else: a use case calls it
// before its transaction, so that Publish inside the transaction reads
// the actors from the cache instead of fetching them over the network.
func (p *Publisher) Prepare(ctx context.Context, actorURI string, recipients []string) error {
	_, err := p.resolve(ctx, actorURI, recipients)
	return err
}
