package resolve_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/resolve"
	"github.com/plaudit/plaudit/federation/transport"
)

// actor serves an actor called name, edited by edit, with its WebFinger.
func serveActor(t *testing.T, s *dereftest.Site, name string, edit func(m map[string]any)) string {
	t.Helper()
	id := s.URL + "/users/" + name
	data, err := as2.ActorDocument(as2.ActorSpec{
		ID: id, PreferredUsername: name, Inbox: id + "/inbox", Outbox: id + "/outbox", PublicKeyID: id + "#main-key",
		PublicKeyPEM: dereftest.PublicPEM(t, dereftest.Key("resolve")),
	}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		data = dereftest.Edit(t, data, edit)
	}
	s.Serve("/users/"+name, "application/activity+json", string(data))
	acct := "acct:" + name + "@" + s.Host()
	jrd, _ := json.Marshal(map[string]any{"subject": acct, "links": []any{map[string]any{"rel": "self", "type": "application/activity+json", "href": id}}})
	s.Serve("/.well-known/webfinger?resource="+url.QueryEscape(acct), "application/jrd+json", string(jrd))
	return id
}

type env struct {
	store  *store.Store
	things *things.Service
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := storetest.Open(t)
	urls := federation.NewURLs("https://plaudit.example")
	kr := keys.New(s, urls)
	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 5 * time.Second, Signer: dereference.NewInstanceSigner(kr)})
	t.Cleanup(client.CloseIdleConnections)
	f := dereference.New(dereference.Deps{Store: s, Keys: kr, Client: client, URLs: urls})
	r := &resolve.Resolver{Objects: f, Actors: f, Client: client, WebFingerScheme: "http"}
	return &env{store: s, things: things.New(things.Deps{Tx: s.Database, Store: s.Things, Resolver: r, URLs: urls})}
}

func note(id, by string, extra string) string {
	return `{"@context":"https://www.w3.org/ns/activitystreams","id":"` + id + `","type":"Note","attributedTo":"` + by + `","content":"<p>hello</p>"` + extra + `}`
}

func TestResolve(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := dereftest.NewSite(t)
	alice := serveActor(t, s, "alice", func(m map[string]any) { m["attributionDomains"] = []any{s.Host()} })
	bob := serveActor(t, s, "bob", func(m map[string]any) {
		m["attachment"] = []any{map[string]any{"type": "Link", "name": "Tip", "href": "https://pay.example/bob", "rel": "payment"}}
	})
	s.Serve("/notes/1", "application/activity+json", note(s.URL+"/notes/1", alice, `,"attachment":[{"type":"Link","name":"Tip","href":"https://pay.example/alice","rel":"payment"}],"monetization":"$wallet.example/alice","support":"Buy me a tea"`))
	s.Serve("/@alice/1", "text/html", `<html><head><link rel="alternate" type="application/activity+json" href="{{base}}/notes/1"></head></html>`)
	s.Serve("/by-alice", "text/html", `<html><head><meta property="og:title" content="Alice's page"><meta name="fediverse:creator" content="@alice@`+s.Host()+`"></head></html>`)
	s.Serve("/by-bob", "text/html", `<html><head><title>Bob?</title><meta name="fediverse:creator" content="@bob@`+s.Host()+`"></head></html>`)
	s.Serve("/authored", "text/html", `<html><body><a rel="author" href="{{base}}/users/bob">Bob</a></body></html>`)
	s.Serve("/notes/2", "application/activity+json", note(s.URL+"/notes/2", bob, ""))
	s.Serve("/plain", "text/html", `<html><head><title>Plain</title><link rel="payment" href="https://pay.example/plain"></head></html>`)

	tests := []struct {
		name, path, uri, owner, title string
		confirmed                     bool
		kind                          string
		links                         int
	}{
		{name: "object by content negotiation", path: "/notes/1", uri: "/notes/1", owner: alice, confirmed: true, kind: app.ThingNote, links: 3},
		{name: "page with an ActivityPub alternate", path: "/@alice/1", uri: "/notes/1", owner: alice, confirmed: true, kind: app.ThingNote, links: 3},
		{name: "fediverse:creator listing the domain", path: "/by-alice", uri: "/by-alice", owner: alice, confirmed: true, kind: app.ThingLink, title: "Alice's page"},
		{name: "fediverse:creator not listing the domain is not honoured", path: "/by-bob", uri: "/by-bob", kind: app.ThingLink, title: "Bob?"},
		{name: "rel=author is an unconfirmed owner", path: "/authored", uri: "/authored", owner: bob, kind: app.ThingLink},
		{name: "an object without payment links shows its creator's", path: "/notes/2", uri: "/notes/2", owner: bob, confirmed: true, kind: app.ThingNote, links: 1},
		{name: "a plain page has no owner", path: "/plain", uri: "/plain", kind: app.ThingLink, title: "Plain", links: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := e.things.Resolve(ctx, s.URL+tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if got.URI != s.URL+tt.uri || got.OwnerURI != tt.owner || got.OwnerConfirmed != tt.confirmed || got.Kind != tt.kind {
				t.Errorf("thing = %s owned by %q (confirmed %v), kind %s; want %s owned by %q (confirmed %v), kind %s",
					got.URI, got.OwnerURI, got.OwnerConfirmed, got.Kind, s.URL+tt.uri, tt.owner, tt.confirmed, tt.kind)
			}
			if tt.title != "" && got.Title != tt.title {
				t.Errorf("title = %q, want %q", got.Title, tt.title)
			}
			if len(got.PaymentLinks) != tt.links {
				t.Errorf("payment links = %+v, want %d", got.PaymentLinks, tt.links)
			}
		})
	}
}

func TestResolveRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := dereftest.NewSite(t)
	s.Serve("/bad.json", "application/activity+json", `{"nope":`)
	for name, u := range map[string]string{
		"not a URL":     "ftp://x/y",
		"missing":       s.URL + "/missing",
		"not an object": s.URL + "/bad.json",
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := e.things.Resolve(ctx, u); err == nil {
				t.Fatal("resolved")
			}
			if _, err := e.store.ThingByURL(ctx, u); app.ErrorCode(err) != app.ENOTFOUND {
				t.Errorf("something was stored: %v", err)
			}
		})
	}
}

// An inbox copy attributes the Note to bob (a same-host Create by
// another actor can do that); the origin says it is alice's. Only the
// origin counts: bob gets nothing, and gets the thing once the origin
// itself names him.
func TestInboxCopyIsNotTrusted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := dereftest.NewSite(t)
	alice := serveActor(t, s, "alice", nil)
	bob := serveActor(t, s, "bob", nil)
	id := s.URL + "/notes/7"
	copyFromInbox := dereference.RemoteObjectOf(mustObject(t, note(id, bob, "")))
	if err := e.store.UpsertRemoteObject(ctx, copyFromInbox); err != nil {
		t.Fatal(err)
	}
	s.Serve("/notes/7", "application/activity+json", note(id, alice, ""))
	got, err := e.things.Resolve(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.OwnerURI != alice {
		t.Fatalf("owner = %s, want %s from the origin, not the inbox copy's %s", got.OwnerURI, alice, bob)
	}
	if list, _ := e.store.ThingsOwnedBy(ctx, bob, 10); len(list) != 0 {
		t.Errorf("bob owns %d things", len(list))
	}
}

func mustObject(t *testing.T, doc string) *as2.Object {
	t.Helper()
	o, err := as2.ParseObject([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// With allow_private_addresses off a URL on a loopback address is refused
// before any connection, and nothing is stored.
func TestResolveRefusesPrivateAddresses(t *testing.T) {
	s := storetest.Open(t)
	urls := federation.NewURLs("https://plaudit.example")
	client := transport.New(transport.Options{AllowHTTP: true})
	f := dereference.New(dereference.Deps{Store: s, Keys: keys.New(s, urls), Client: client, URLs: urls})
	th := things.New(things.Deps{Tx: s.Database, Store: s.Things, Resolver: &resolve.Resolver{Objects: f, Actors: f, Client: client}, URLs: urls})
	site := dereftest.NewSite(t)
	site.Serve("/page", "text/html", "<title>private</title>")
	_, err := th.Resolve(context.Background(), site.URL+"/page")
	if app.ErrorCode(err) != app.EINVALID {
		t.Errorf("Resolve(loopback) = %v, want invalid", err)
	}
	if _, err := s.ThingByURL(context.Background(), site.URL+"/page"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("something was stored: %v", err)
	}
}
