package outbox

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// NoticeActors reads remote actors (dereference.Fetcher).
type NoticeActors interface {
	Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
}

// NoticeBlocks tells whether a remote actor blocked a local one
// (store.Blocks).
type NoticeBlocks interface {
	ActorBlockedBy(ctx context.Context, blockedBy, actorURI string) (bool, error)
}

// EscrowNotifier tells creators who have not joined, in a direct mention
// from the instance actor, how much waits for them in escrow and how to
// claim it (app/escrow.Notifier).
type EscrowNotifier struct {
	Publisher *Publisher
	Actors    NoticeActors
	Blocks    NoticeBlocks
	// Months is how long escrow is held before it goes back to the
	// funders.
	Months int
}

// OptedOut implements app/escrow.Notifier: the owner blocked the
// instance actor, or their profile carries #nobot (the fediverse's sign
// for "no messages from bots").
func (n *EscrowNotifier) OptedOut(ctx context.Context, owner string) (bool, error) {
	blocked, err := n.Blocks.ActorBlockedBy(ctx, owner, n.Publisher.deps.URLs.InstanceActor())
	if err != nil || blocked {
		return blocked, err
	}
	a, err := n.Actors.Actor(ctx, owner, false)
	if err != nil {
		return false, fmt.Errorf("escrow notice: %w", err)
	}
	bio := strings.ToLower(a.Summary)
	return strings.Contains(bio, "#nobot"), nil
}

// NotifyEscrow implements app/escrow.Notifier: a Create of a direct Note
// mentioning owner.
func (n *EscrowNotifier) NotifyEscrow(ctx context.Context, owner string, held app.Money) error {
	u := n.Publisher.deps.URLs
	a, err := n.Actors.Actor(ctx, owner, false)
	if err != nil {
		return fmt.Errorf("escrow notice: %w", err)
	}
	name := owner
	if a.PreferredUsername != "" {
		if h, err := url.Parse(owner); err == nil {
			name = "@" + a.PreferredUsername + "@" + h.Host
		}
	}
	text := fmt.Sprintf(`<p><span class="h-card"><a href="%s" class="u-url mention">%s</a></span> People on %s flattred your posts: %s waits for you here. `+
		`To receive it, sign up at <a href="%s">%s</a> and claim this account (Settings, Claims) within %d months; after that it goes back to the funders. `+
		`Add #nobot to your profile or block this account and you will hear no more from it.</p>`,
		html.EscapeString(owner), html.EscapeString(name), html.EscapeString(u.Host()), html.EscapeString(held.String()),
		html.EscapeString(u.Base()), html.EscapeString(u.Host()), n.Months)
	now := n.Publisher.deps.Now().UTC().Format(time.RFC3339)
	note := as2.Document{
		"id": u.Object(newID()), "type": "Note", "attributedTo": u.InstanceActor(), "to": []string{owner},
		"content": text, "published": now,
		"tag": []any{map[string]any{"type": "Mention", "href": owner, "name": name}},
	}
	doc := as2.NewActivity(n.Publisher.newActivityID(), "Create", u.InstanceActor(), note).
		With("to", []string{owner}).With("published", now)
	_, err = n.Publisher.Publish(ctx, u.InstanceActor(), doc, []string{owner})
	return err
}

// DirectMessage publishes a Note from the local actor from to to alone,
// mentioning them (name is how the mention reads), in reply to inReplyTo
// when not "".
func (p *Publisher) DirectMessage(ctx context.Context, from, to, inReplyTo, name, text string) error {
	now := p.deps.Now().UTC().Format(time.RFC3339)
	content := fmt.Sprintf(`<p><span class="h-card"><a href="%s" class="u-url mention">%s</a></span> %s</p>`,
		html.EscapeString(to), html.EscapeString(name), html.EscapeString(text))
	note := as2.Document{
		"id": p.deps.URLs.Object(newID()), "type": "Note", "attributedTo": from, "to": []string{to},
		"content": content, "published": now,
		"tag": []any{map[string]any{"type": "Mention", "href": to, "name": name}},
	}
	if inReplyTo != "" {
		note["inReplyTo"] = inReplyTo
	}
	doc := as2.NewActivity(p.newActivityID(), "Create", from, note).With("to", []string{to}).With("published", now)
	_, err := p.Publish(ctx, from, doc, []string{to})
	return err
}
