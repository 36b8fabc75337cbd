package outbox

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// targets is where an activity goes.
type targets struct {
	inboxes []string // distinct remote inboxes, in recipient order
	local   bool     // a local actor is addressed
	public  bool     // the Public collection is addressed
}

// resolve turns recipients into targets. When the actor's followers are
// addressed every remote actor is reached through its shared inbox, so
// that a server gets one copy; otherwise (a Follow, a Like) through its
// personal inbox, as Mastodon does.
func (p *Publisher) resolve(ctx context.Context, actorURI string, recipients []string) (targets, error) {
	var t targets
	followers := p.followersOf(actorURI)
	var actors []string
	fanOut := false
	seen := map[string]bool{}
	for _, r := range recipients {
		switch {
		case r == "" || seen[r]:
			continue
		case as2.IsPublic(r):
			t.public = true
		case followers != "" && r == followers:
			fanOut = true
		case p.deps.URLs.IsLocal(r):
			t.local = t.local || (p.isLocalActor(r) && r != actorURI)
		default:
			actors = append(actors, r)
		}
		seen[r] = true
	}
	add := newInboxSet()
	if fanOut {
		inboxes, err := p.deps.Store.FollowerInboxes(ctx, actorURI)
		if err != nil {
			return t, fmt.Errorf("followers of %s: %w", actorURI, err)
		}
		for _, in := range inboxes {
			add(&t, in)
		}
	}
	if len(actors) > MaxRecipients {
		return t, app.Errorf(app.EINVALID, "an activity may address at most %d actors, not %d (address your followers instead)", MaxRecipients, len(actors))
	}
	inboxes, err := p.inboxesOf(ctx, actors, fanOut)
	if err != nil {
		return t, err
	}
	for _, inbox := range inboxes {
		add(&t, inbox)
	}
	return t, nil
}

// Bounds of recipient resolution: how many actors one activity may address
// one by one, how many are resolved at once, and how long all of them may
// take together by default (Deps.ResolveTimeout).
const (
	MaxRecipients         = 100
	resolveParallelism    = 8
	DefaultResolveTimeout = 10 * time.Second
)

// inboxesOf resolves actors to their inboxes, at most resolveParallelism
// at a time (one inside a transaction) and within Deps.ResolveTimeout, in
// the order of actors.
// Recipients that fail or are not resolved in time are left out and
// logged; only the caller's context ending is an error.
func (p *Publisher) inboxesOf(ctx context.Context, actors []string, shared bool) ([]string, error) {
	rctx, cancel := context.WithTimeout(ctx, p.deps.ResolveTimeout)
	defer cancel()
	inboxes := make([]string, len(actors))
	errs := make([]error, len(actors))
	parallel := resolveParallelism
	if app.InTx(ctx) {
		// One transaction is one database connection, which runs one
		// query at a time: inside one, resolve in turn (Prepare has
		// fetched the actors before the transaction began).
		parallel = 1
	}
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, uri := range actors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
			case <-rctx.Done():
				errs[i] = rctx.Err()
				return
			}
			inboxes[i], errs[i] = p.inboxOf(rctx, uri, shared)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("resolve recipients: %w", err)
	}
	out := inboxes[:0]
	for i, uri := range actors {
		if errs[i] != nil {
			p.log.WarnContext(ctx, "recipient left out", "actor", uri, "err", errs[i])
			continue
		}
		out = append(out, inboxes[i])
	}
	return out, nil
}

// newInboxSet returns a function adding inboxes to t once each.
func newInboxSet() func(t *targets, inbox string) {
	seen := map[string]bool{}
	return func(t *targets, inbox string) {
		if inbox != "" && !seen[inbox] {
			seen[inbox] = true
			t.inboxes = append(t.inboxes, inbox)
		}
	}
}

// inboxOf resolves a remote actor to the inbox to deliver to.
func (p *Publisher) inboxOf(ctx context.Context, uri string, shared bool) (string, error) {
	if p.deps.Moderation != nil {
		blocked, err := p.deps.Moderation.ActorBlocked(ctx, uri)
		if err != nil {
			return "", err
		}
		if blocked {
			return "", errors.New("blocked by admins")
		}
	}
	a, err := p.deps.Actors.Actor(ctx, uri, false)
	if err != nil {
		return "", err
	}
	if a.DeletedAt != nil {
		return "", app.Errorf(app.ENOTFOUND, "actor %s was deleted", uri)
	}
	inbox := a.Inbox
	if shared || inbox == "" {
		inbox = a.DeliveryInbox()
	}
	if inbox == "" {
		return "", app.Errorf(app.EINVALID, "actor %s has no inbox", uri)
	}
	return inbox, nil
}

// followersOf is the followers collection of a local user, "" for the
// instance actor, which has none.
func (p *Publisher) followersOf(actorURI string) string {
	if name, ok := p.deps.URLs.LocalUsername(actorURI); ok {
		return p.deps.URLs.Followers(name)
	}
	return ""
}

// isLocalActor tells whether uri is a local user or the instance actor.
func (p *Publisher) isLocalActor(uri string) bool {
	_, ok := p.deps.URLs.LocalUsername(uri)
	return ok || uri == p.deps.URLs.InstanceActor()
}
