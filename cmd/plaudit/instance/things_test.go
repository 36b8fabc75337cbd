package instance_test

import (
	"context"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/transport"
)

// A signed Create by alice whose Note names bob (on the same server) as
// its author gives bob nothing: the thing's owner comes from the Note as
// its own id serves it, and only once that origin names bob is the thing
// his.
func TestCreateAttributingAnotherActorIsNotTrusted(t *testing.T) {
	ctx := context.Background()
	a := startNode(t, "a")
	a.user("carol")

	srv := dereftest.NewSite(t)
	serve := srv.ServeActivity
	actorDoc := func(name string) (string, []byte) {
		id := srv.URL + "/users/" + name
		doc, err := as2.ActorDocument(as2.ActorSpec{
			ID: id, PreferredUsername: name, Inbox: id + "/inbox", Outbox: id + "/outbox", PublicKeyID: id + "#main-key",
			PublicKeyPEM: dereftest.PublicPEM(t, dereftest.Key(name)),
		}).Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return id, doc
	}
	alice, aliceDoc := actorDoc("alice")
	bob, bobDoc := actorDoc("bob")
	serve("/users/alice", aliceDoc)
	serve("/users/bob", bobDoc)
	noteID := srv.URL + "/notes/1"
	noteBy := func(by string) map[string]any {
		return map[string]any{"id": noteID, "type": "Note", "attributedTo": by, "content": "<p>mine</p>",
			"to": []any{"https://www.w3.org/ns/activitystreams#Public"}}
	}
	create, _ := as2.NewActivity(srv.URL+"/activities/1", "Create", alice, noteBy(bob)).Marshal()

	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Signer: httpsig.NewSigner(alice+"#main-key", dereftest.Key("alice"))})
	if _, err := client.Post(ctx, a.actor("carol")+"/inbox", create); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the Create stored", func() bool {
		return a.count("SELECT count(*) FROM remote_objects WHERE uri = ? AND attributed_to = ?", noteID, bob) == 1
	})
	// The origin does not serve the Note: nothing can be flattred, bob owns nothing.
	if _, err := a.inst.TestThings().Resolve(ctx, noteID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("resolve a Note its origin does not serve: %v", err)
	}
	if got := a.count("SELECT count(*) FROM things WHERE owner_uri = ?", bob); got != 0 {
		t.Fatalf("bob owns %d things on the word of alice's Create", got)
	}
	// Once the origin names bob, the Note is his.
	doc, _ := as2.Document(noteBy(bob)).With("@context", as2.ActivityStreamsContext).Marshal()
	serve("/notes/1", doc)
	th, err := a.inst.TestThings().Resolve(ctx, noteID)
	if err != nil {
		t.Fatal(err)
	}
	if th.OwnerURI != bob || !th.OwnerConfirmed {
		t.Errorf("thing owned by %q (confirmed %v), want bob confirmed by the origin", th.OwnerURI, th.OwnerConfirmed)
	}
}
