// Package mentions reads replies that mention the flattr actor (the
// inbox's Created hook) and sends the flattr actor's direct answers.
package mentions

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"

	"github.com/plaudit/plaudit/app"
	appmentions "github.com/plaudit/plaudit/app/mentions"
	"github.com/plaudit/plaudit/federation/as2"
)

// Objects reads stored remote objects (store.RemoteObjects).
type Objects interface {
	RemoteObjectByURI(ctx context.Context, uri string) (*app.RemoteObject, error)
}

// Handler implements inbox.Created for the flattr actor: a stored object
// whose tags mention it is handed to the mentions use case.
type Handler struct {
	Objects     Objects
	FlattrActor string
	Mentions    *appmentions.Service
}

// Received implements inbox.Created.
func (h *Handler) Received(ctx context.Context, actorURI, objectURI string) error {
	o, err := h.Objects.RemoteObjectByURI(ctx, objectURI)
	if err != nil {
		return err
	}
	var doc struct {
		Tag       json.RawMessage `json:"tag"`
		InReplyTo json.RawMessage `json:"inReplyTo"`
	}
	if err := json.Unmarshal([]byte(o.Document), &doc); err != nil {
		return nil // not an object of ours to read
	}
	if !mentions(doc.Tag, h.FlattrActor) {
		return nil
	}
	var reply any
	_ = json.Unmarshal(doc.InReplyTo, &reply)
	return h.Mentions.Handle(ctx, appmentions.Mention{NoteURI: o.URI, ActorURI: actorURI, InReplyTo: as2.IDOf(reply), Text: plainText(o.Content)})
}

// mentions tells whether tags hold a Mention of actor.
func mentions(tags json.RawMessage, actor string) bool {
	var v any
	if len(tags) == 0 || json.Unmarshal(tags, &v) != nil {
		return false
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, t := range list {
		m, ok := t.(map[string]any)
		if ok && as2.StringOf(m["type"]) == "Mention" && as2.SameID(as2.IDOf(m["href"]), actor) {
			return true
		}
	}
	return false
}

var tagPattern = regexp.MustCompile(`<[^>]*>`)

// plainText is the reply's content without markup.
func plainText(content string) string {
	return strings.TrimSpace(html.UnescapeString(tagPattern.ReplaceAllString(content, " ")))
}

// Publisher publishes from local actors (outbox.Publisher).
type Publisher interface {
	DirectMessage(ctx context.Context, from, to, inReplyTo, mentionName, text string) error
}

// Replier sends the flattr actor's answers (app/mentions.Replier).
type Replier struct {
	Publisher   Publisher
	FlattrActor string
	Names       interface {
		Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error)
	}
}

// Reply implements app/mentions.Replier.
func (r *Replier) Reply(ctx context.Context, to, inReplyTo, text string) error {
	name := to
	if a, err := r.Names.Actor(ctx, to, false); err == nil && a.PreferredUsername != "" {
		name = "@" + a.PreferredUsername + "@" + a.Host
	}
	if err := r.Publisher.DirectMessage(ctx, r.FlattrActor, to, inReplyTo, name, text); err != nil {
		return fmt.Errorf("answer %s: %w", to, err)
	}
	return nil
}
