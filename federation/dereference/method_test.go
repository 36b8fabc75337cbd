package dereference

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/proof"
)

// edKey derives an Ed25519 key from a name.
func edKey(name string) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	copy(seed, name)
	return ed25519.NewKeyFromSeed(seed)
}

// peerActorDoc is an instance actor at id publishing methods as its
// assertionMethod, beside its RSA publicKey.
func peerActorDoc(tb testing.TB, id string, methods ...as2.Multikey) []byte {
	tb.Helper()
	doc := as2.ActorDocument(as2.ActorSpec{
		ID: id, Type: "Application", PreferredUsername: "instance.actor", Inbox: id + "/inbox",
		PublicKeyID: id + "#main-key", PublicKeyPEM: dereftest.PublicPEM(tb, dereftest.Key("peer")),
		AssertionMethods: methods,
	})
	data, err := doc.Marshal()
	if err != nil {
		tb.Fatal(err)
	}
	return data
}

func multikey(id, controller string, key ed25519.PrivateKey) as2.Multikey {
	return as2.Multikey{ID: id, Controller: controller, PublicKeyMultibase: proof.EncodeMultikey(key.Public().(ed25519.PublicKey))}
}

// signedStatement is a statement from actor signed by key as method.
func signedStatement(tb testing.TB, actor, method string, key ed25519.PrivateKey) []byte {
	tb.Helper()
	doc := `{"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/data-integrity/v1"],` +
		`"type":"Offer","id":"` + actor + `/statements/1","actor":"` + actor + `","total":1234}`
	signed, err := proof.Sign([]byte(doc), key, method, time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	return signed
}

func TestResolveMethodVerifiesAStatementFromALoopbackPeer(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	actor := remote.URL + "/actor"
	method := actor + "#ed25519-key"
	remote.Serve("/actor", peerActorDoc(t, actor, multikey(method, actor, edKey("peer"))))
	signed := signedStatement(t, actor, method, edKey("peer"))

	controller, err := proof.VerifyOwned(ctx, signed, e.fetcher)
	if err != nil {
		t.Fatal(err)
	}
	if controller != actor {
		t.Errorf("controller = %s, want %s", controller, actor)
	}
	if _, err := proof.Verify(ctx, signed, e.fetcher); err != nil {
		t.Fatal(err)
	}
	if got := remote.Hits("/actor"); got != 1 {
		t.Errorf("%d fetches of the actor, want 1 (then the stored copy)", got)
	}
	if r := remote.Requests()[0]; r.Header.Get("Signature") == "" {
		t.Error("the actor was fetched without a signature")
	}
}

func TestResolveMethodFetchesARotatedKeyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	remote := dereftest.NewRemote(t)
	actor := remote.URL + "/actor"
	oldMethod, newMethod := actor+"#ed25519-key", actor+"#ed25519-key-2"
	remote.Serve("/actor", peerActorDoc(t, actor, multikey(oldMethod, actor, edKey("old"))))
	if _, err := proof.Verify(ctx, signedStatement(t, actor, oldMethod, edKey("old")), e.fetcher); err != nil {
		t.Fatal(err)
	}
	remote.Serve("/actor", peerActorDoc(t, actor, multikey(newMethod, actor, edKey("new"))))
	signed := signedStatement(t, actor, newMethod, edKey("new"))

	// Right after a fetch the stored copy answers: no refetch loop.
	if _, err := proof.Verify(ctx, signed, e.fetcher); !errors.Is(err, proof.ErrNotController) {
		t.Fatalf("err = %v, want ErrNotController", err)
	}
	e.clock.Advance(MinRefreshInterval)
	if _, err := proof.Verify(ctx, signed, e.fetcher); err != nil {
		t.Fatalf("after the refresh interval: %v", err)
	}
	if got := remote.Hits("/actor"); got != 2 {
		t.Errorf("%d fetches, want 2", got)
	}
}

func TestResolveMethodRefuses(t *testing.T) {
	remote := dereftest.NewRemote(t)
	actor := remote.URL + "/actor"
	method := actor + "#ed25519-key"
	key := edKey("peer")
	other := remote.URL + "/users/eve"
	remote.Serve("/actor", peerActorDoc(t, actor, multikey(method, actor, key)))
	remote.Serve("/foreign", peerActorDoc(t, actor+"x", multikey(remote.URL+"/foreign#k", actor+"x", key)))
	remote.Serve("/claims-other", peerActorDoc(t, remote.URL+"/claims-other", multikey(remote.URL+"/claims-other#k", other, key)))
	expired := multikey(remote.URL+"/expired#k", remote.URL+"/expired", key)
	expired.Expires = "2000-01-01T00:00:00Z"
	remote.Serve("/expired", peerActorDoc(t, remote.URL+"/expired", expired))
	bad := multikey(remote.URL+"/bad#k", remote.URL+"/bad", key)
	bad.PublicKeyMultibase = "z6Mk"
	remote.Serve("/bad", peerActorDoc(t, remote.URL+"/bad", bad))

	tests := []struct {
		name, actor, method string
		want                error
		code                string
	}{
		{"method not listed", actor, actor + "#main-key", proof.ErrNotController, app.EUNAUTHORIZED},
		{"document claims another id", actor, remote.URL + "/foreign#k", proof.ErrUnresolved, app.EINVALID},
		{"method controlled by another actor", remote.URL + "/claims-other", remote.URL + "/claims-other#k", proof.ErrNotController, app.EUNAUTHORIZED},
		{"expired key", remote.URL + "/expired", remote.URL + "/expired#k", proof.ErrExpired, app.EUNAUTHORIZED},
		{"undecodable key", remote.URL + "/bad", remote.URL + "/bad#k", proof.ErrUnresolved, app.EUNAUTHORIZED},
		{"actor missing", remote.URL + "/gone", remote.URL + "/gone#k", proof.ErrUnresolved, app.ENOTFOUND},
		{"no fragment", actor, actor, proof.ErrUnresolved, app.EUNAUTHORIZED},
		{"key of another local actor", localBase + "/users/alice", localBase + "/users/alice#ed25519-key", proof.ErrUnresolved, app.EUNAUTHORIZED},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			_, err := proof.Verify(context.Background(), signedStatement(t, tt.actor, tt.method, key), e.fetcher)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if code := app.ErrorCode(err); code != tt.code {
				t.Errorf("code = %s, want %s (%v)", code, tt.code, err)
			}
		})
	}
}

func TestResolveMethodReadsTheInstanceKeyFromTheKeyring(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	doc := []byte(`{"type":"Offer","actor":"` + e.urls.InstanceActor() + `","total":1}`)
	signed, err := e.keys.SignAsInstance(ctx, doc, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	controller, err := proof.VerifyOwned(ctx, signed, e.fetcher)
	if err != nil || controller != e.urls.InstanceActor() {
		t.Fatalf("VerifyOwned = %q, %v", controller, err)
	}
}
