package outbox

import (
	"context"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// submitCreate publishes a Create of a Note, Article or Page. The object
// gets a local id, the user as attributedTo and a published time. Activity
// and object share one audience, the union of both; with none given the
// post is public: to the Public collection, cc the user's followers.
func (p *Publisher) submitCreate(ctx context.Context, s *submission) (*app.Activity, error) {
	obj, ok := s.doc["object"].(map[string]any)
	if !ok {
		return nil, app.Errorf(app.EINVALID, "a Create needs an embedded object: a Note, Article or Page")
	}
	types := as2.TypesOf(obj)
	if len(types) == 0 || (types[0] != "Note" && types[0] != "Article" && types[0] != "Page") {
		return nil, app.Errorf(app.EINVALID, "only a Note, Article or Page can be created")
	}
	if v, ok := obj["attributedTo"]; ok && v != nil && !as2.SameID(as2.IDOf(v), s.actor) {
		return nil, app.Errorf(app.EFORBIDDEN, "the object must be attributed to you (%s)", s.actor)
	}
	delete(obj, "@context")
	obj["id"] = p.deps.URLs.Object(newID())
	obj["attributedTo"] = s.actor
	obj["published"] = s.now.Format(time.RFC3339)
	p.shareAudience(s, obj)
	doc, recipients := s.finish(p.newActivityID())
	delete(obj, "bto")
	delete(obj, "bcc")
	return p.publish(ctx, s.actor, doc, recipients, p.deps.Store.PublishActivity)
}

// shareAudience gives the Create and its object the same to, cc, bto and
// bcc: the union of what each says, or the public default.
func (p *Publisher) shareAudience(s *submission, obj map[string]any) {
	lists := map[string][]string{}
	empty := true
	for _, k := range addressing {
		seen := map[string]bool{}
		for _, addr := range append(idsOf(s.doc[k]), idsOf(obj[k])...) {
			if !seen[addr] {
				seen[addr] = true
				lists[k] = append(lists[k], addr)
			}
		}
		empty = empty && len(lists[k]) == 0
	}
	if empty {
		lists["to"] = []string{as2.PublicCollection}
		lists["cc"] = []string{p.deps.URLs.Followers(s.user.Username)}
	}
	for _, k := range addressing {
		if len(lists[k]) == 0 {
			delete(s.doc, k)
			delete(obj, k)
			continue
		}
		s.doc[k] = lists[k]
		obj[k] = lists[k]
	}
}
