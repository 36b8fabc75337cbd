package outbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// TestPublish: recipients become delivery rows, one per distinct inbox,
// written with the activity; public and local recipients get none.
func TestPublish(t *testing.T) {
	for name, tc := range map[string]struct {
		setup       func(t *testing.T, e *env)
		recipients  func(e *env) []string
		wantInboxes []string
		wantPublic  bool
		wantLocal   bool
	}{
		"1000 followers on one server with a shared inbox: one delivery": {
			setup: func(t *testing.T, e *env) {
				e.followers(t, "big.example", 1000, true, e.urls.Actor("alice"))
			},
			recipients:  func(e *env) []string { return []string{as2.PublicCollection, e.urls.Followers("alice")} },
			wantInboxes: []string{"https://big.example/inbox"},
			wantPublic:  true,
		},
		"followers on two servers without shared inboxes: one per personal inbox": {
			setup: func(t *testing.T, e *env) {
				e.followers(t, "a.example", 2, false, e.urls.Actor("alice"))
				e.followers(t, "b.example", 1, false, e.urls.Actor("alice"))
				e.followers(t, "c.example", 3, true, e.urls.Actor("bob")) // bob's, not alice's
			},
			recipients: func(e *env) []string { return []string{e.urls.Followers("alice")} },
			wantInboxes: []string{
				"https://a.example/users/f0/inbox", "https://a.example/users/f1/inbox", "https://b.example/users/f0/inbox",
			},
		},
		"public only: marked public, nothing to send": {
			recipients: func(*env) []string { return []string{"as:Public"} },
			wantPublic: true,
		},
		"local recipient: processed locally, no delivery": {
			recipients: func(e *env) []string { return []string{e.urls.Actor("bob")} },
			wantLocal:  true,
		},
		"a remote actor directly: its personal inbox": {
			setup:       func(t *testing.T, e *env) { e.remote(t, "https://m.example/users/carol", "https://m.example/inbox") },
			recipients:  func(*env) []string { return []string{"https://m.example/users/carol"} },
			wantInboxes: []string{"https://m.example/users/carol/inbox"},
		},
		"a remote actor with the followers: the shared inbox, once": {
			setup: func(t *testing.T, e *env) {
				e.followers(t, "m.example", 5, true, e.urls.Actor("alice"))
				e.remote(t, "https://m.example/users/carol", "https://m.example/inbox")
			},
			recipients:  func(e *env) []string { return []string{"https://m.example/users/carol", e.urls.Followers("alice")} },
			wantInboxes: []string{"https://m.example/inbox"},
		},
		"unknown and deleted actors are left out": {
			setup: func(t *testing.T, e *env) {
				e.remote(t, "https://m.example/users/dan", "")
				if err := e.st.MarkRemoteActorDeleted(context.Background(), "https://m.example/users/dan", time.Now().UTC()); err != nil {
					t.Fatal(err)
				}
				gone, _ := e.st.RemoteActorByURI(context.Background(), "https://m.example/users/dan")
				e.actors[gone.URI] = gone
				e.remote(t, "https://n.example/users/eve", "")
			},
			recipients: func(*env) []string {
				return []string{"https://nowhere.example/users/x", "https://m.example/users/dan", "https://n.example/users/eve"}
			},
			wantInboxes: []string{"https://n.example/users/eve/inbox"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t)
			if tc.setup != nil {
				tc.setup(t, e)
			}
			alice := e.urls.Actor("alice")
			id := e.urls.Activity("a1")
			doc := as2.NewActivity(id, "Create", alice, map[string]any{"id": e.urls.Object("o1"), "type": "Note", "content": "hi"})
			a, err := e.pub.Publish(context.Background(), alice, doc, tc.recipients(e))
			if err != nil {
				t.Fatalf("Publish: %v", err)
			}
			stored, err := e.st.ActivityByURI(context.Background(), id)
			if err != nil {
				t.Fatalf("activity not stored: %v", err)
			}
			want := app.Activity{
				ID: a.ID, URI: id, Type: "Create", ActorURI: alice, ObjectURI: e.urls.Object("o1"),
				Local: true, Public: tc.wantPublic, State: app.ActivityPublished,
			}
			got := app.Activity{
				ID: stored.ID, URI: stored.URI, Type: stored.Type, ActorURI: stored.ActorURI, ObjectURI: stored.ObjectURI,
				Local: stored.Local, Public: stored.Public, State: stored.State,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("stored activity (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantInboxes, e.deliveriesOf(t, a.ID), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("delivery inboxes (-want +got):\n%s", diff)
			}
			e.checkQueued(t, a.ID, tc.wantLocal)
		})
	}
}

// TestPublishRefuses: documents that are not a local actor's own
// activity are refused, and nothing is stored or queued.
func TestPublishRefuses(t *testing.T) {
	e := newEnv(t)
	alice := e.urls.Actor("alice")
	for name, tc := range map[string]struct {
		actor string
		doc   as2.Document
	}{
		"remote actor":   {"https://m.example/users/x", as2.NewActivity(e.urls.Activity("r1"), "Like", "https://m.example/users/x", "https://m.example/n/1")},
		"actor mismatch": {alice, as2.NewActivity(e.urls.Activity("r2"), "Like", e.urls.Actor("bob"), "https://m.example/n/1")},
		"id not local":   {alice, as2.NewActivity("https://m.example/a/1", "Like", alice, "https://m.example/n/1")},
		"no id":          {alice, as2.NewActivity("", "Like", alice, "https://m.example/n/1")},
		"no type":        {alice, as2.NewActivity(e.urls.Activity("r3"), "", alice, "https://m.example/n/1")},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := e.pub.Publish(context.Background(), tc.actor, tc.doc, []string{as2.PublicCollection})
			if app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("Publish = %v, want %s", err, app.EINVALID)
			}
		})
	}
	var n int64
	e.st.DB().Model(&app.Activity{}).Count(&n)
	if n != 0 {
		t.Errorf("%d activities stored, want 0", n)
	}
	if calls := e.queue.taken(); len(calls) != 0 {
		t.Errorf("queue calls %v, want none", calls)
	}
}

// TestPublishOnce: publishing an activity id twice is a conflict, and the
// second call adds no delivery.
func TestPublishOnce(t *testing.T) {
	e := newEnv(t)
	e.remote(t, "https://m.example/users/carol", "")
	alice := e.urls.Actor("alice")
	doc := as2.NewActivity(e.urls.Activity("once"), "Follow", alice, "https://m.example/users/carol")
	first, err := e.pub.Publish(context.Background(), alice, doc, []string{"https://m.example/users/carol"})
	if err != nil {
		t.Fatal(err)
	}
	e.queue.taken()
	_, err = e.pub.Publish(context.Background(), alice, doc, []string{"https://m.example/users/carol"})
	if app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second Publish = %v, want %s", err, app.ECONFLICT)
	}
	if got := e.deliveriesOf(t, first.ID); len(got) != 1 {
		t.Errorf("deliveries after the second Publish: %v, want one", got)
	}
	if calls := e.queue.taken(); len(calls) != 0 {
		t.Errorf("second Publish queued %v", calls)
	}
}

// TestPublishQueueDown: a queue failure after the commit does not fail
// the publication; the rows stay pending for the sweep.
func TestPublishQueueDown(t *testing.T) {
	e := newEnv(t)
	e.remote(t, "https://m.example/users/carol", "")
	e.remote(t, "https://n.example/users/dan", "")
	e.queue.err = context.DeadlineExceeded
	alice := e.urls.Actor("alice")
	doc := as2.NewActivity(e.urls.Activity("q"), "Create", alice, map[string]any{"id": e.urls.Object("q"), "type": "Note"})
	a, err := e.pub.Publish(context.Background(), alice, doc, []string{"https://m.example/users/carol", "https://n.example/users/dan"})
	if err != nil {
		t.Fatalf("Publish with the queue down: %v", err)
	}
	if got := e.deliveriesOf(t, a.ID); len(got) != 2 {
		t.Errorf("deliveries = %v, want two pending rows", got)
	}
	if calls := e.queue.taken(); len(calls) != 1 {
		t.Errorf("queue calls = %v, want one try, then give up", calls)
	}
}
