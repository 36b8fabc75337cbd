package outbox

import (
	"context"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
)

// SendCreate gives post a local id and publishes its Create to its
// audience and to extra, the blind recipients (app/posts.Outbox). The
// Create and its object share one audience.
func (p *Publisher) SendCreate(ctx context.Context, post *app.Post, extra []string) (*app.Activity, error) {
	post.URI = p.deps.URLs.Object(newID())
	post.ActivityURI = p.newActivityID()
	obj := PostObject(post)
	// Every local object carries its FEP-0ea0 payment link: its flattr page.
	obj["attachment"] = []any{as2.PaymentLink(federation.PaymentLinkName, p.deps.URLs.FlattrPage(post.URI)).Document()}
	doc := as2.NewActivity(post.ActivityURI, "Create", post.AuthorURI, obj).
		With("published", post.PublishedAt.UTC().Format(timeFormat))
	if len(post.To) > 0 {
		doc = doc.With("to", post.To)
	}
	if len(post.Cc) > 0 {
		doc = doc.With("cc", post.Cc)
	}
	recipients := append(append(append([]string{}, post.To...), post.Cc...), extra...)
	return p.Publish(ctx, post.AuthorURI, doc, recipients)
}

// PostObject is the ActivityStreams object of a local post, without
// @context (it is embedded in a Create or served with one added).
func PostObject(post *app.Post) as2.Document {
	obj := as2.Document{
		"id": post.URI, "type": post.Type, "attributedTo": post.AuthorURI,
		"published": post.PublishedAt.UTC().Format(timeFormat),
	}
	for k, v := range map[string]string{"name": post.Name, "summary": post.Summary, "content": post.Content, "inReplyTo": post.InReplyTo} {
		if v != "" {
			obj[k] = v
		}
	}
	if post.Sensitive {
		obj["sensitive"] = true
	}
	if len(post.To) > 0 {
		obj["to"] = post.To
	}
	if len(post.Cc) > 0 {
		obj["cc"] = post.Cc
	}
	return obj
}
