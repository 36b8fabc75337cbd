package inbox

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Each real-world fixture, delivered signed over HTTP, accepted with 202
// and processed into the rows it stands for.

func TestFollowFixturesAutoAccepted(t *testing.T) {
	tests := []struct {
		name, file string
		from       func(e *env) remoteActor
	}{
		{"mastodon", "mastodon_follow.json", (*env).alice},
		{"gotosocial", "gotosocial_follow.json", (*env).bob},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			from := tt.from(e)
			body := e.fixture(tt.file)
			e.deliver(from, body)

			act, _ := as2.ParseActivity(body)
			f, err := e.store.FollowByPair(context.Background(), from.id, e.urls.Actor("carol"))
			if err != nil {
				t.Fatalf("no follow row: %v", err)
			}
			if f.State != app.FollowAccepted || f.ActivityURI != act.ID {
				t.Errorf("follow = %+v", f)
			}
			calls := e.publisher.Calls()
			if len(calls) != 1 {
				t.Fatalf("%d activities published, want one Accept", len(calls))
			}
			accept := calls[0]
			parsed, err := as2.ParseActivity(e.mustJSON(accept.Doc))
			if err != nil {
				t.Fatal(err)
			}
			if accept.Actor != e.urls.Actor("carol") || parsed.Type != "Accept" || parsed.Actor != accept.Actor ||
				!slices.Equal(accept.Recipients, []string{from.id}) || parsed.ObjectID() != act.ID ||
				!slices.Contains(parsed.ObjectTypes(), "Follow") ||
				!strings.HasPrefix(accept.Doc.ID(), e.base+"/activities/") {
				t.Errorf("Accept = %+v", accept)
			}
			if a := e.activity(act.ID); a.State != app.ActivityProcessed || a.Local || a.ActorURI != from.id {
				t.Errorf("activity row = %+v", a)
			}
		})
	}
}

func TestFollowOfManualUserWaitsForApproval(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	bob := e.bob()
	body := e.edit(e.fixture("gotosocial_follow.json"), func(m map[string]any) { m["object"] = e.urls.Actor("dora") })
	e.deliver(bob, body)

	f, err := e.store.FollowByPair(ctx, bob.id, e.urls.Actor("dora"))
	if err != nil || f.State != app.FollowPending {
		t.Fatalf("follow = %+v, %v; want pending", f, err)
	}
	if n := len(e.publisher.Calls()); n != 0 {
		t.Fatalf("%d activities published before approval", n)
	}
	if err := e.follows.Decide(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := e.follows.Decide(ctx, f.ID, true); err != nil {
		t.Fatal(err)
	}
	f, _ = e.store.FollowByPair(ctx, bob.id, e.urls.Actor("dora"))
	calls := e.publisher.Calls()
	if f.State != app.FollowAccepted || len(calls) != 1 || as2.StringOf(calls[0].Doc["type"]) != "Accept" {
		t.Fatalf("after approval: follow %+v, published %+v", f, calls)
	}
	if err := e.follows.Decide(ctx, f.ID, false); err != nil {
		t.Fatal(err)
	}
	f, _ = e.store.FollowByPair(ctx, bob.id, e.urls.Actor("dora"))
	calls = e.publisher.Calls()
	if f.State != app.FollowRejected || len(calls) != 2 || as2.StringOf(calls[1].Doc["type"]) != "Reject" {
		t.Fatalf("after rejection: follow %+v, published %d", f, len(calls))
	}
}

func TestLikeFixtures(t *testing.T) {
	tests := []struct {
		name, file  string
		from        func(e *env) remoteActor
		wantContent string
	}{
		{"mastodon", "mastodon_like.json", (*env).alice, ""},
		{"gotosocial", "gotosocial_like.json", (*env).bob, ""},
		{"misskey reaction", "misskey_like_reaction.json", func(e *env) remoteActor {
			return e.actor("https://misskey.example", "/users/9h5x7ab3cd")
		}, "🎉"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			thing := e.urls.Object("thing-1")
			body := e.edit(e.fixture(tt.file), func(m map[string]any) { m["object"] = thing })
			e.deliver(tt.from(e), body)
			act, _ := as2.ParseActivity(body)
			l, err := e.store.LikeByActivityURI(context.Background(), act.ID)
			if err != nil {
				t.Fatalf("no like row: %v", err)
			}
			if l.ActorURI != tt.from(e).id || l.ObjectURI != thing || l.Content != tt.wantContent {
				t.Errorf("like = %+v", l)
			}
		})
	}
}

func TestLikeOfRemoteObjectIsNotCounted(t *testing.T) {
	e := newEnv(t, envOptions{})
	body := e.fixture("mastodon_like.json") // likes a status on the GoToSocial server
	e.deliver(e.alice(), body)
	if n := e.count(&app.Like{}, ""); n != 0 {
		t.Errorf("%d likes stored, want 0", n)
	}
	act, _ := as2.ParseActivity(body)
	if a := e.activity(act.ID); a.State != app.ActivityProcessed {
		t.Errorf("state %s, want processed (a no-op)", a.State)
	}
}

func TestUndoLike(t *testing.T) {
	e := newEnv(t, envOptions{})
	thing := e.urls.Object("thing-1")
	like := e.edit(e.fixture("mastodon_like.json"), func(m map[string]any) { m["object"] = thing })
	e.deliver(e.alice(), like)
	undo := e.edit(e.fixture("mastodon_undo_like.json"), func(m map[string]any) {
		m["object"].(map[string]any)["object"] = thing
	})
	// An Undo by someone else than the liker changes nothing.
	forged := e.edit(undo, func(m map[string]any) {
		m["id"] = e.bob().id + "#undo-1"
		m["actor"] = e.bob().id
	})
	e.deliver(e.bob(), forged)
	if n := e.count(&app.Like{}, ""); n != 1 {
		t.Fatalf("an Undo by another actor removed the like (%d left)", n)
	}
	e.deliver(e.alice(), undo)
	if n := e.count(&app.Like{}, ""); n != 0 {
		t.Fatalf("%d likes after Undo, want 0", n)
	}
}

func TestUndoFollowByReference(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	follow := e.fixture("mastodon_follow.json")
	e.deliver(alice, follow)
	act, _ := as2.ParseActivity(follow)
	// Only the Follow's id: found among the stored activities.
	undo := e.mustJSON(as2.NewActivity(alice.id+"#follows/1/undo", "Undo", alice.id, act.ID))
	e.deliver(alice, undo)
	if n := e.count(&app.Follow{}, ""); n != 0 {
		t.Fatalf("%d follows after Undo(Follow), want 0", n)
	}
}

func TestAcceptOfOurFollow(t *testing.T) {
	tests := []struct {
		name      string
		from      func(e *env) remoteActor
		byPair    bool // the embedded Follow's id is not ours
		wantState string
	}{
		{"from the followee", (*env).alice, false, app.FollowAccepted},
		{"matched by actor and object", (*env).alice, true, app.FollowAccepted},
		{"from someone else is ignored", (*env).bob, false, app.FollowPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			ctx := context.Background()
			alice, from := e.alice(), tt.from(e)
			accept := e.fixture("mastodon_accept_follow.json")
			act, _ := as2.ParseActivity(accept)
			inner, _ := act.ParsedActivity()
			f := &app.Follow{ActivityURI: inner.ID, FollowerURI: e.urls.Actor("carol"), FolloweeURI: alice.id, State: app.FollowPending}
			if err := e.store.UpsertFollow(ctx, f); err != nil {
				t.Fatal(err)
			}
			accept = e.edit(accept, func(m map[string]any) {
				m["actor"] = from.id
				m["id"] = from.id + "#accepts/follows/1"
				if tt.byPair {
					m["object"].(map[string]any)["id"] = e.hosts["https://mastodon.example"] + "/some-other-id"
				}
			})
			e.deliver(from, accept)
			got, _ := e.store.FollowByID(ctx, f.ID)
			if got.State != tt.wantState {
				t.Errorf("follow state %s, want %s", got.State, tt.wantState)
			}
		})
	}
}

func TestRejectOfOurFollow(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	f := &app.Follow{ActivityURI: e.urls.Activity("f1"), FollowerURI: e.urls.Actor("carol"), FolloweeURI: alice.id, State: app.FollowPending}
	if err := e.store.UpsertFollow(ctx, f); err != nil {
		t.Fatal(err)
	}
	e.deliver(alice, e.mustJSON(as2.NewActivity(alice.id+"#rejects/1", "Reject", alice.id, f.ActivityURI)))
	if got, _ := e.store.FollowByID(ctx, f.ID); got.State != app.FollowRejected {
		t.Errorf("state %s, want rejected", got.State)
	}
}

func TestCreateFixtures(t *testing.T) {
	tests := []struct {
		name, file string
		origin     string
		actorPath  string
		wantType   string
	}{
		{"mastodon note", "mastodon_create_note.json", "https://mastodon.example", "/users/alice", "Note"},
		{"gotosocial note", "gotosocial_create_note.json", "https://gts.example", "/users/bob", "Note"},
		{"misskey note", "misskey_create_note.json", "https://misskey.example", "/users/9h5x7ab3cd", "Note"},
		{"fedify note", "fedify_create_note.json", "https://hollo.example", "/@frank", "Note"},
		{"wordpress article", "wordpress_create_article.json", "https://blog.example", "/author/erin/", "Article"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, envOptions{})
			body := e.fixture(tt.file)
			e.deliver(e.actor(tt.origin, tt.actorPath), body)
			act, _ := as2.ParseActivity(body)
			obj, _ := act.ParsedObject()
			o, err := e.store.RemoteObjectByURI(context.Background(), obj.ID)
			if err != nil {
				t.Fatalf("object not stored: %v", err)
			}
			if o.Type != tt.wantType || o.AttributedTo != e.hosts[tt.origin]+tt.actorPath || o.Content == "" || !o.Public {
				t.Errorf("object = %+v", o)
			}
		})
	}
}

func TestCreateForAnotherHostIsRefused(t *testing.T) {
	e := newEnv(t, envOptions{})
	// Alice creates a Note that claims to live on the GoToSocial server.
	body := e.edit(e.fixture("mastodon_create_note.json"), func(m map[string]any) {
		m["object"].(map[string]any)["id"] = e.hosts["https://gts.example"] + "/users/bob/statuses/forged"
	})
	e.deliver(e.alice(), body)
	if n := e.count(&app.RemoteObject{}, ""); n != 0 {
		t.Fatalf("%d objects stored, want 0", n)
	}
	act, _ := as2.ParseActivity(body)
	if a := e.activity(act.ID); a.State != app.ActivityFailed || a.Error == "" {
		t.Errorf("activity = %s %q, want failed with a reason", a.State, a.Error)
	}
}

func TestUpdateAndDeleteNote(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice, bob := e.alice(), e.bob()
	create := e.fixture("mastodon_create_note.json")
	e.deliver(alice, create)
	act, _ := as2.ParseActivity(create)
	obj, _ := act.ParsedObject()

	update := e.edit(create, func(m map[string]any) {
		m["id"] = alice.id + "#updates/1"
		m["type"] = "Update"
		o := m["object"].(map[string]any)
		o["content"] = "<p>edited</p>"
		delete(o, "contentMap")
	})
	e.deliver(alice, update)
	if o, _ := e.store.RemoteObjectByURI(ctx, obj.ID); o.Content != "<p>edited</p>" {
		t.Fatalf("content after Update = %q", o.Content)
	}
	tombstone := func(actor remoteActor, id string) []byte {
		return e.mustJSON(as2.NewActivity(id, "Delete", actor.id, as2.Document{"id": obj.ID, "type": "Tombstone"}))
	}
	e.deliver(bob, tombstone(bob, bob.id+"/delete/1"))
	if o, _ := e.store.RemoteObjectByURI(ctx, obj.ID); o.DeletedAt != nil {
		t.Fatal("a Delete by someone else than the author deleted the object")
	}
	e.deliver(alice, tombstone(alice, alice.id+"#delete/1"))
	if o, _ := e.store.RemoteObjectByURI(ctx, obj.ID); o.DeletedAt == nil {
		t.Fatal("the author's Delete did not delete the object")
	}
}

func TestUpdatePersonRotatesKey(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	e.deliver(alice, e.fixture("mastodon_follow.json")) // alice is fetched and stored
	remote := e.remotes["https://mastodon.example"]
	fetches := remote.Hits("/users/alice")

	rotated := alice
	rotated.key = dereftestKey("alice-2")
	update := e.edit(e.fixture("mastodon_update_person.json"), func(m map[string]any) {
		o := m["object"].(map[string]any)
		o["name"] = "Alice Renamed"
		o["publicKey"] = map[string]any{"id": alice.keyID, "owner": alice.id, "publicKeyPem": publicPEM(t, rotated.key)}
	})
	e.deliver(alice, update)
	a, err := e.store.RemoteActorByURI(ctx, alice.id)
	if err != nil || a.Name != "Alice Renamed" {
		t.Fatalf("actor after Update = %+v, %v", a, err)
	}
	// The next request is signed with the new key and verifies without a fetch.
	like := e.mustJSON(as2.NewActivity(alice.id+"#likes/2", "Like", alice.id, e.urls.Object("x")))
	if status, msg := e.post(request{body: like, as: &rotated}); status != http.StatusAccepted {
		t.Fatalf("signed with the rotated key: %d %s", status, msg)
	}
	if remote.Hits("/users/alice") != fetches {
		t.Error("the rotated key was fetched although the Update carried it")
	}
}

func TestDeletePerson(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	e.deliver(alice, e.fixture("mastodon_follow.json"))
	e.deliver(alice, e.fixture("mastodon_delete_person.json"))
	a, err := e.store.RemoteActorByURI(ctx, alice.id)
	if err != nil || a.DeletedAt == nil {
		t.Fatalf("actor after Delete = %+v, %v", a, err)
	}
	if n := e.count(&app.Follow{}, ""); n != 0 {
		t.Errorf("%d follows left, want 0", n)
	}
}

func TestDeleteOfGoneActorAccepted(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	remote := e.remotes["https://mastodon.example"]
	remote.Handle("/users/alice", goneResponse())
	status, msg := e.post(request{body: e.fixture("mastodon_delete_person.json"), as: &alice})
	if status != http.StatusAccepted {
		t.Fatalf("Delete of a gone actor: %d %s, want 202", status, msg)
	}
	if n := e.count(&app.Activity{}, ""); n != 0 {
		t.Errorf("%d activities stored, want 0", n)
	}
	// The same for another activity is refused, and the key is not fetched again.
	like := e.mustJSON(as2.NewActivity(alice.id+"#likes/3", "Like", alice.id, e.urls.Object("x")))
	if status, _ := e.post(request{body: like, as: &alice}); status != http.StatusUnauthorized {
		t.Errorf("Like from a gone actor: %d, want 401", status)
	}
	if n := remote.Hits("/users/alice"); n != 1 {
		t.Errorf("gone actor fetched %d times, want 1", n)
	}
}

func TestBlockAndUndoBlock(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	carol := e.urls.Actor("carol")
	e.deliver(alice, e.fixture("mastodon_follow.json"))
	block := as2.NewActivity(alice.id+"#blocks/1", "Block", alice.id, carol)
	e.deliver(alice, e.mustJSON(block))
	if blocked, err := e.store.ActorBlockedBy(ctx, alice.id, carol); err != nil || !blocked {
		t.Fatalf("block not recorded: %v %v", blocked, err)
	}
	if n := e.count(&app.Follow{}, ""); n != 0 {
		t.Errorf("%d follows left after Block, want 0", n)
	}
	e.deliver(alice, e.mustJSON(as2.NewActivity(alice.id+"#blocks/1/undo", "Undo", alice.id, block)))
	if blocked, _ := e.store.ActorBlockedBy(ctx, alice.id, carol); blocked {
		t.Fatal("Undo(Block) did not lift the block")
	}
}

func TestMoveAndUnknownTypesAreNoOps(t *testing.T) {
	e := newEnv(t, envOptions{})
	alice := e.alice()
	for _, typ := range []string{"Move", "Announce", "Flag", "SomethingNew"} {
		id := alice.id + "#" + typ
		e.deliver(alice, e.mustJSON(as2.NewActivity(id, typ, alice.id, alice.id).With("target", e.hosts["https://gts.example"]+"/users/bob")))
		if a := e.activity(id); a.State != app.ActivityProcessed || a.Type != typ {
			t.Errorf("%s: %s %q, want processed", typ, a.State, a.Error)
		}
	}
}

func TestCreateByReferenceFetchesTheObject(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	alice := e.alice()
	remote := e.remotes["https://mastodon.example"]
	noteID := alice.id + "/statuses/7"
	remote.Serve("/users/alice/statuses/7", e.mustJSON(as2.Document{
		"id": noteID, "type": "Note", "attributedTo": alice.id, "content": "<p>by reference</p>",
		"to": []string{as2.PublicCollection},
	}))
	e.deliver(alice, e.mustJSON(as2.NewActivity(noteID+"/activity", "Create", alice.id, noteID)))
	o, err := e.store.RemoteObjectByURI(ctx, noteID)
	if err != nil || o.Content != "<p>by reference</p>" || o.AttributedTo != alice.id {
		t.Fatalf("object = %+v, %v", o, err)
	}
	// A reference to an object on another host is not fetched.
	other := e.bob().id + "/statuses/1"
	e.deliver(alice, e.mustJSON(as2.NewActivity(alice.id+"#create/2", "Create", alice.id, other)))
	if a := e.activity(alice.id + "#create/2"); a.State != app.ActivityFailed {
		t.Errorf("Create of another host's object by reference: %s, want failed", a.State)
	}
	if n := e.remotes["https://gts.example"].Hits("/users/bob/statuses/1"); n != 0 {
		t.Errorf("another host's object was fetched %d times", n)
	}
	// An Update naming the actor by id refetches it.
	before := remote.Hits("/users/alice")
	e.deliver(alice, e.mustJSON(as2.NewActivity(alice.id+"#updates/2", "Update", alice.id, alice.id)))
	if remote.Hits("/users/alice") != before+1 {
		t.Error("Update(actor by id) did not refetch the actor")
	}
}
