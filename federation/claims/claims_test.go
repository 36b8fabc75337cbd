package claims_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	appclaims "github.com/plaudit/plaudit/app/claims"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/claims"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/transport"
)

const localBase = "https://plaudit.example"

type env struct {
	store  *store.Store
	claims *appclaims.Service
	carol  *app.User
	urls   federation.URLs
}

func newEnv(t *testing.T) *env {
	t.Helper()
	s := storetest.Open(t)
	urls := federation.NewURLs(localBase)
	kr := keys.New(s, urls)
	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Timeout: 5 * time.Second, Signer: dereference.NewInstanceSigner(kr)})
	t.Cleanup(client.CloseIdleConnections)
	f := dereference.New(dereference.Deps{Store: s, Keys: kr, Client: client, URLs: urls})
	svc := appclaims.New(appclaims.Deps{Tx: s.Database, Store: s.Claims, Users: s.Users, Inspector: &claims.Inspector{Actors: f, Client: client}, URLs: urls})
	carol := &app.User{Username: "carol", CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.CreateUser(context.Background(), carol, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: "x"}); err != nil {
		t.Fatal(err)
	}
	return &env{store: s, claims: svc, carol: carol, urls: urls}
}

// remoteActor is an actor document at base+path.
func remoteActor(t *testing.T, id string, edit func(m map[string]any)) string {
	t.Helper()
	doc := as2.ActorDocument(as2.ActorSpec{
		ID: id, PreferredUsername: "carol", Inbox: id + "/inbox", Outbox: id + "/outbox", PublicKeyID: id + "#main-key",
		PublicKeyPEM: dereftest.PublicPEM(t, dereftest.Key("claims")),
	})
	data, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		data = dereftest.Edit(t, data, edit)
	}
	return string(data)
}

func TestActorClaimVerifiesBothWaysAndRefusesOneWay(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	remote := dereftest.NewSite(t)
	actorURI := remote.URL + "/users/carol"
	// One way: the remote actor does not name carol's Plaudit actor.
	remote.Serve("/users/carol", "application/activity+json", remoteActor(t, actorURI, nil))
	// A thing the remote actor's origin confirmed as theirs.
	note := &app.Thing{URI: remote.URL + "/notes/1", OwnerURI: actorURI, OwnerConfirmed: true, Kind: app.ThingNote, Host: remote.Host()}
	if err := e.store.UpsertThing(ctx, note); err != nil {
		t.Fatal(err)
	}

	c, err := e.claims.Create(ctx, "carol", actorURI)
	if err != nil {
		t.Fatal(err)
	}
	if c.Kind != app.ClaimActor || c.Subject != actorURI || c.Verified() {
		t.Fatalf("one-way claim = %+v, want a refused actor claim", c)
	}
	if !strings.Contains(c.Message, "does not link back") || !strings.Contains(c.Message, "alsoKnownAs") {
		t.Errorf("message %q does not say the remote side is missing", c.Message)
	}
	u, _ := e.store.UserByUsername(ctx, "carol")
	if u.AlsoKnownAs != actorURI {
		t.Errorf("carol's alsoKnownAs = %q: her side of the claim is not published", u.AlsoKnownAs)
	}
	if got, _ := e.store.ThingByURI(ctx, note.URI); got.OwnerURI != actorURI {
		t.Errorf("a refused claim moved the thing to %s", got.OwnerURI)
	}
	if _, err := e.claims.Verify(ctx, "carol", c.ID); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("verify one-way claim: %v, want invalid", err)
	}

	// Now the other side names carol's actor: the claim verifies.
	remote.Serve("/users/carol", "application/activity+json", remoteActor(t, actorURI, func(m map[string]any) {
		m["alsoKnownAs"] = []any{localBase + "/users/carol"}
	}))
	c, err = e.claims.Verify(ctx, "carol", c.ID)
	if err != nil {
		t.Fatalf("verify two-way claim: %v", err)
	}
	if !c.Verified() || c.Message != "" {
		t.Errorf("two-way claim = %+v, want verified", c)
	}
	if got, _ := e.store.ThingByURI(ctx, note.URI); got.OwnerURI != localBase+"/users/carol" || !got.OwnerConfirmed {
		t.Errorf("the claimed actor's thing is owned by %s (confirmed %v), want carol", got.OwnerURI, got.OwnerConfirmed)
	}
	owner, err := e.claims.OwnerOf(ctx, actorURI, remote.URL+"/notes/2", "")
	if err != nil || owner != localBase+"/users/carol" {
		t.Errorf("OwnerOf a new thing of the actor = %q, %v", owner, err)
	}

	// Re-verification notices that carol dropped her side.
	if err := e.store.SetUserLinks(ctx, e.carol.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	c, err = e.claims.Reverify(ctx, c.ID)
	if app.ErrorCode(err) != app.EINVALID || c.Verified() || !strings.Contains(c.Message, "your actor") {
		t.Errorf("reverify after dropping the alias: %+v, %v", c, err)
	}
	// A claim that no longer holds no longer gives carol the thing.
	if got, _ := e.store.ThingByURI(ctx, note.URI); got.OwnerConfirmed {
		t.Errorf("the thing is still confirmed %s's after the claim failed", got.OwnerURI)
	}
	if owner, _ := e.claims.OwnerOf(ctx, actorURI, note.URI, ""); owner != "" {
		t.Errorf("OwnerOf after the claim failed = %q", owner)
	}
}

func TestProfileFieldWithRelMeVerifies(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	remote := dereftest.NewSite(t)
	actorURI := remote.URL + "/users/carol"
	remote.Serve("/users/carol", "application/activity+json", remoteActor(t, actorURI, func(m map[string]any) {
		m["attachment"] = []any{map[string]any{"type": "PropertyValue", "name": "Plaudit",
			"value": `<a href="https://plaudit.example/@carol" rel="nofollow noopener me" target="_blank">plaudit.example/@carol</a>`}}
	}))
	c, err := e.claims.Create(ctx, "carol", actorURI)
	if err != nil || !c.Verified() {
		t.Fatalf("claim with a rel=me profile field: %+v, %v", c, err)
	}
}

func TestPageClaimWithRelMeVerifies(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	blog := dereftest.NewSite(t)
	blog.Serve("/", "text/html; charset=utf-8", `<html><head><title>Blog</title></head><body>by <a rel="me" href="https://plaudit.example/@carol">carol</a></body></html>`)
	blog.Serve("/other", "text/html", `<html><body>nothing here</body></html>`)
	page := &app.Thing{URI: blog.URL + "/2026/post", Kind: app.ThingLink, URL: blog.URL + "/2026/post", Host: blog.Host()}
	if err := e.store.UpsertThing(ctx, page); err != nil {
		t.Fatal(err)
	}

	one, err := e.claims.Create(ctx, "carol", blog.URL+"/other")
	if err != nil {
		t.Fatal(err)
	}
	if one.Verified() || !strings.Contains(one.Message, "fediverse:creator") {
		t.Errorf("page without a back link: %+v", one)
	}
	if err := e.claims.Delete(ctx, "carol", one.ID); err != nil {
		t.Fatal(err)
	}

	c, err := e.claims.Create(ctx, "carol", blog.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	if !c.Verified() || c.Kind != app.ClaimSite || c.Subject != blog.URL {
		t.Fatalf("page claim = %+v, want a verified site claim of %s", c, blog.URL)
	}
	u, _ := e.store.UserByUsername(ctx, "carol")
	if u.AttributionDomains != blog.Host() {
		t.Errorf("attributionDomains = %q, want the blog's host", u.AttributionDomains)
	}
	if got, _ := e.store.ThingByURI(ctx, page.URI); got.OwnerURI != localBase+"/users/carol" || !got.OwnerConfirmed {
		t.Errorf("page on the claimed site owned by %q (confirmed %v)", got.OwnerURI, got.OwnerConfirmed)
	}
	list, err := e.claims.List(ctx, "carol")
	if err != nil || len(list) != 1 {
		t.Errorf("List = %d claims, %v; want 1 (the deleted one gone)", len(list), err)
	}
	// Withdrawn, the claim neither gives the page nor publishes the domain.
	if err := e.claims.Delete(ctx, "carol", c.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.store.ThingByURI(ctx, page.URI); got.OwnerConfirmed {
		t.Errorf("page still confirmed %s's after the claim was withdrawn", got.OwnerURI)
	}
	if u, _ := e.store.UserByUsername(ctx, "carol"); u.AttributionDomains != "" {
		t.Errorf("attributionDomains = %q after the claim was withdrawn", u.AttributionDomains)
	}
}
