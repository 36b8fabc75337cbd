package outbox_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// TestPublishProfileUpdate: the Update carries the whole new Person, is
// public, and goes once to each follower server.
func TestPublishProfileUpdate(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.followers(t, "m.example", 3, true, e.urls.Actor("alice"))
	e.followers(t, "n.example", 1, false, e.urls.Actor("alice"))
	e.followers(t, "o.example", 2, true, e.urls.Actor("bob")) // bob's followers hear nothing

	person := as2.ActorDocument(as2.ActorSpec{
		ID: e.urls.Actor("alice"), PreferredUsername: "alice", Name: "Alice Liddell", Summary: "<p>down the hole</p>",
		Inbox: e.urls.Inbox("alice"), PublicKeyID: e.urls.KeyID("alice"), PublicKeyPEM: "PEM",
	})
	a, err := e.pub.PublishProfileUpdate(ctx, e.alice, person)
	if err != nil {
		t.Fatalf("PublishProfileUpdate: %v", err)
	}
	if a.Type != "Update" || a.ActorURI != e.urls.Actor("alice") || a.ObjectURI != e.urls.Actor("alice") || !a.Public || !a.Local {
		t.Fatalf("activity = %+v, want a public local Update of alice's actor", a)
	}
	var doc struct {
		Context []any          `json:"@context"`
		ID      string         `json:"id"`
		To      []string       `json:"to"`
		Cc      []string       `json:"cc"`
		Type    string         `json:"type"`
		Actor   string         `json:"actor"`
		Pub     string         `json:"published"`
		Object  map[string]any `json:"object"`
	}
	if err := json.Unmarshal([]byte(a.Document), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Type != "Update" || doc.Actor != e.urls.Actor("alice") || doc.Pub == "" {
		t.Errorf("document type %q, actor %q, published %q; want Update by alice, dated", doc.Type, doc.Actor, doc.Pub)
	}
	if len(doc.Context) != 3 || doc.Context[1] != as2.SecurityContext {
		t.Errorf("@context = %v, want the Person's (ActivityStreams, security, terms)", doc.Context)
	}
	if diff := cmp.Diff([]string{as2.PublicCollection}, doc.To); diff != "" {
		t.Errorf("to (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{e.urls.Followers("alice")}, doc.Cc); diff != "" {
		t.Errorf("cc (-want +got):\n%s", diff)
	}
	if _, local := e.urls.LocalUsername(doc.ID); !e.urls.IsLocal(doc.ID) || local {
		t.Errorf("id %q is not a local activity id", doc.ID)
	}
	for key, want := range map[string]any{"id": e.urls.Actor("alice"), "type": "Person", "name": "Alice Liddell", "summary": "<p>down the hole</p>"} {
		if doc.Object[key] != want {
			t.Errorf("object %s = %v, want %v", key, doc.Object[key], want)
		}
	}
	if _, ok := doc.Object["@context"]; ok {
		t.Error("the embedded Person keeps its own @context")
	}
	want := []string{"https://m.example/inbox", "https://n.example/users/f0/inbox"}
	if diff := cmp.Diff(want, e.deliveriesOf(t, a.ID)); diff != "" {
		t.Errorf("delivery inboxes (-want +got):\n%s", diff)
	}
	e.checkQueued(t, a.ID, false)

	t.Run("another user's Person is refused", func(t *testing.T) {
		bob := as2.ActorDocument(as2.ActorSpec{ID: e.urls.Actor("bob"), PreferredUsername: "bob"})
		if _, err := e.pub.PublishProfileUpdate(ctx, e.alice, bob); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("PublishProfileUpdate with bob's Person = %v, want %s", err, app.EINVALID)
		}
		var n int64
		if err := e.st.DB().Raw("SELECT COUNT(*) FROM activities WHERE type = 'Update'").Scan(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d Update activities stored, want 1", n)
		}
	})
}
