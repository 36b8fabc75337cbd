package outbox_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/outbox/outboxtest"
)

const (
	carol     = "https://m.example/users/carol"
	carolNote = "https://m.example/users/carol/statuses/1"
)

// newSubmitEnv is an env where carol@m.example exists, has written a note,
// and two remote actors on big.example follow alice through its shared inbox.
func newSubmitEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	e.remote(t, carol, "https://m.example/inbox")
	e.objects[carolNote] = &app.RemoteObject{URI: carolNote, Type: "Note", AttributedTo: carol}
	e.followers(t, "big.example", 2, true, e.urls.Actor("alice"))
	return e
}

func (e *env) submit(t *testing.T, user *app.User, body string) (*app.Activity, map[string]any, error) {
	t.Helper()
	a, err := e.c2s.Submit(context.Background(), user, []byte(body))
	if err != nil {
		return nil, nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(a.Document), &doc); err != nil {
		t.Fatalf("stored document: %v", err)
	}
	return a, doc, nil
}

func (e *env) mustSubmit(t *testing.T, user *app.User, body string) (*app.Activity, map[string]any) {
	t.Helper()
	a, doc, err := e.submit(t, user, body)
	if err != nil {
		t.Fatalf("Submit(%s): %v", body, err)
	}
	return a, doc
}

// TestSubmitNote: a bare Note is wrapped in a Create; ids are assigned by
// the server, the audience defaults to public + followers, and the
// followers' server gets one delivery.
func TestSubmitNote(t *testing.T) {
	e := newSubmitEnv(t)
	a, doc := e.mustSubmit(t, e.alice, `{"@context":"https://www.w3.org/ns/activitystreams","type":"Note","id":"https://evil.example/x","content":"<p>Hello</p>"}`)

	obj, _ := doc["object"].(map[string]any)
	if obj == nil {
		t.Fatalf("Create has no embedded object: %v", doc)
	}
	alice := e.urls.Actor("alice")
	checks := map[string][2]any{
		"type":                {"Create", doc["type"]},
		"actor":               {alice, doc["actor"]},
		"object.type":         {"Note", obj["type"]},
		"object.attributedTo": {alice, obj["attributedTo"]},
		"object.content":      {"<p>Hello</p>", obj["content"]},
		"to":                  {[]any{as2.PublicCollection}, doc["to"]},
		"cc":                  {[]any{e.urls.Followers("alice")}, doc["cc"]},
		"object.to":           {[]any{as2.PublicCollection}, obj["to"]},
		"activity.ObjectURI":  {obj["id"], a.ObjectURI},
		"activity.URI":        {doc["id"], a.URI},
		"activity.Public":     {true, a.Public},
	}
	for what, c := range checks {
		if diff := cmp.Diff(c[0], c[1]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", what, diff)
		}
	}
	if id, _ := obj["id"].(string); !strings.HasPrefix(id, base+"/objects/") || len(id) < len(base+"/objects/")+20 {
		t.Errorf("object id %q is not a random local object id", id)
	}
	if !strings.HasPrefix(a.URI, base+"/activities/") {
		t.Errorf("activity id %q is not a local activity id", a.URI)
	}
	if diff := cmp.Diff([]string{"https://big.example/inbox"}, e.deliveriesOf(t, a.ID)); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	e.checkQueued(t, a.ID, false)
}

// TestSubmitCreateAddressing: a Create's explicit audience is shared with
// its object, bto is used but not published, and a non-public post is
// not public.
func TestSubmitCreateAddressing(t *testing.T) {
	e := newSubmitEnv(t)
	a, doc := e.mustSubmit(t, e.alice, `{"type":"Create","to":["`+carol+`"],"object":{"type":"Article","name":"T","bto":["`+e.urls.Actor("bob")+`"]}}`)
	if a.Public {
		t.Error("a post to carol only is public")
	}
	obj := doc["object"].(map[string]any)
	for _, d := range []map[string]any{doc, obj} {
		if diff := cmp.Diff([]any{carol}, d["to"]); diff != "" {
			t.Errorf("to (-want +got):\n%s", diff)
		}
		if _, ok := d["bto"]; ok {
			t.Errorf("bto published: %v", d)
		}
	}
	if diff := cmp.Diff([]string{carol + "/inbox"}, e.deliveriesOf(t, a.ID)); diff != "" {
		t.Errorf("deliveries (-want +got):\n%s", diff)
	}
	e.checkQueued(t, a.ID, true) // bob, in bto, is local
}

// TestSubmitFollow: a Follow records a pending follow and goes to the
// followee's personal inbox; Undo removes the follow and goes there too.
func TestSubmitFollow(t *testing.T) {
	e := newSubmitEnv(t)
	ctx := context.Background()
	alice := e.urls.Actor("alice")
	follow, doc := e.mustSubmit(t, e.alice, `{"type":"Follow","object":"`+carol+`"}`)
	if diff := cmp.Diff([]any{carol}, doc["to"]); diff != "" {
		t.Errorf("Follow to (-want +got):\n%s", diff)
	}
	f, err := e.st.FollowByPair(ctx, alice, carol)
	if err != nil {
		t.Fatalf("follow not recorded: %v", err)
	}
	if f.State != app.FollowPending || f.ActivityURI != follow.URI {
		t.Errorf("follow = %s by %s, want pending by %s", f.State, f.ActivityURI, follow.URI)
	}
	if diff := cmp.Diff([]string{carol + "/inbox"}, e.deliveriesOf(t, follow.ID)); diff != "" {
		t.Errorf("Follow deliveries (-want +got):\n%s", diff)
	}
	e.checkQueued(t, follow.ID, false)

	undo, doc := e.mustSubmit(t, e.alice, `{"type":"Undo","object":"`+follow.URI+`"}`)
	embedded, _ := doc["object"].(map[string]any)
	if embedded["id"] != follow.URI || embedded["type"] != "Follow" {
		t.Errorf("Undo object = %v, want the Follow embedded", doc["object"])
	}
	if _, err := e.st.FollowByPair(ctx, alice, carol); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("follow after Undo: err = %v, want not found", err)
	}
	if diff := cmp.Diff([]string{carol + "/inbox"}, e.deliveriesOf(t, undo.ID)); diff != "" {
		t.Errorf("Undo deliveries (-want +got):\n%s", diff)
	}
}

// TestSubmitFollowLocal: following a local user is processed locally.
func TestSubmitFollowLocal(t *testing.T) {
	e := newSubmitEnv(t)
	a, _ := e.mustSubmit(t, e.alice, `{"type":"Follow","object":"`+e.urls.Actor("bob")+`"}`)
	if got := e.deliveriesOf(t, a.ID); len(got) != 0 {
		t.Errorf("deliveries for a local follow: %v", got)
	}
	e.checkQueued(t, a.ID, true)
	if _, err := e.st.FollowByPair(context.Background(), e.urls.Actor("alice"), e.urls.Actor("bob")); err != nil {
		t.Errorf("local follow not recorded: %v", err)
	}
}

// TestSubmitLike: a Like is a flattr (weight 1 without the terms) and goes
// to the author with the terms; a second Like of the same thing this
// month changes the weight with an Update; an Undo with the Like embedded
// withdraws it.
func TestSubmitLike(t *testing.T) {
	e := newSubmitEnv(t)
	ctx := context.Background()
	like, doc := e.mustSubmit(t, e.alice, `{"type":"Like","object":"`+carolNote+`"}`)
	f, err := e.st.FlattrByActivity(ctx, like.URI)
	if err != nil {
		t.Fatalf("flattr not recorded: %v", err)
	}
	if f.ThingURI != carolNote || f.FunderURI != e.urls.Actor("alice") || f.Weight != 1 || f.State != app.FlattrActive || !f.Local {
		t.Errorf("flattr = %+v", f)
	}
	if doc["object"] != carolNote || doc["weight"] != float64(1) || doc["month"] != app.MonthOf(time.Now()) {
		t.Errorf("Like = %v", doc)
	}
	if diff := cmp.Diff([]string{carol + "/inbox"}, e.deliveriesOf(t, like.ID)); diff != "" {
		t.Errorf("Like deliveries (-want +got):\n%s", diff)
	}
	e.queue.taken()

	update, doc := e.mustSubmit(t, e.alice, `{"@context":["https://www.w3.org/ns/activitystreams",{"p":"https://w3id.org/plaudit#"}],"type":"Like","object":"`+carolNote+`","p:weight":4}`)
	if update.Type != "Update" {
		t.Fatalf("second Like published a %s, want an Update", update.Type)
	}
	if inner, _ := doc["object"].(map[string]any); inner["id"] != like.URI || inner["weight"] != float64(4) {
		t.Errorf("Update object = %v", doc["object"])
	}
	if f, _ := e.st.FlattrByActivity(ctx, like.URI); f.Weight != 4 {
		t.Errorf("weight after the change = %d, want 4", f.Weight)
	}
	var n int64
	e.st.DB().Table("flattrs").Count(&n)
	if n != 1 {
		t.Errorf("%d flattrs after a change, want 1", n)
	}
	if _, _, err := e.submit(t, e.alice, `{"type":"Like","object":"`+carolNote+`","weight":11}`); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("weight 11: err = %v, want %s", err, app.EINVALID)
	}

	undoBody := `{"type":"Undo","object":{"type":"Like","id":"` + like.URI + `","object":"` + carolNote + `"}}`
	undo, _ := e.mustSubmit(t, e.alice, undoBody)
	if f, _ := e.st.FlattrByActivity(ctx, like.URI); f.State != app.FlattrUndone {
		t.Errorf("flattr after Undo is %s, want undone", f.State)
	}
	if diff := cmp.Diff([]string{carol + "/inbox"}, e.deliveriesOf(t, undo.ID)); diff != "" {
		t.Errorf("Undo deliveries (-want +got):\n%s", diff)
	}
	if _, _, err := e.submit(t, e.alice, undoBody); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("second Undo: err = %v, want %s", err, app.EINVALID)
	}
}

// TestSubmitLikeLocal: flattring a local note is recorded at once, counted
// on the note, and sent nowhere.
func TestSubmitLikeLocal(t *testing.T) {
	e := newSubmitEnv(t)
	ctx := context.Background()
	note, _ := e.mustSubmit(t, e.bob, `{"type":"Note","content":"bob's"}`)
	e.queue.taken()
	like, doc := e.mustSubmit(t, e.alice, `{"type":"Like","object":"`+note.ObjectURI+`","weight":2}`)
	if doc["to"] != nil {
		t.Errorf("Like to %v, want nobody (the thing is local)", doc["to"])
	}
	if calls := e.queue.taken(); len(calls) != 0 {
		t.Errorf("local flattr queued %v", calls)
	}
	f, err := e.st.FlattrByActivity(ctx, like.URI)
	if err != nil || f.OwnerURI != e.urls.Actor("bob") || f.Weight != 2 {
		t.Fatalf("flattr = %+v, %v", f, err)
	}
	c, err := e.st.ThingCounts(ctx, note.ObjectURI, app.MonthOf(time.Now()))
	if err != nil || c.FlattrsMonth != 1 || c.FlattrsAllTime != 1 || c.Funders != 1 {
		t.Errorf("counts = %+v, %v", c, err)
	}
	if _, _, err := e.submit(t, e.bob, `{"type":"Like","object":"`+note.ObjectURI+`"}`); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("flattr of one's own note: err = %v, want %s", err, app.EINVALID)
	}
}

// TestSubmitRefused: what clients may not send, with the error code.
func TestSubmitRefused(t *testing.T) {
	e := newSubmitEnv(t)
	bobsFollow, _ := e.mustSubmit(t, e.bob, `{"type":"Follow","object":"`+carol+`"}`)
	received := &app.Activity{URI: "https://m.example/a/9", Type: "Like", ActorURI: carol, Document: `{}`, State: app.ActivityProcessed, CreatedAt: time.Now().UTC()}
	if _, err := e.st.InsertActivity(context.Background(), received); err != nil {
		t.Fatal(err)
	}
	aliceNote, _ := e.mustSubmit(t, e.alice, `{"type":"Note","content":"x"}`)
	for name, tc := range map[string]struct {
		body string
		want string
	}{
		"not JSON":                  {`{"type":`, app.EINVALID},
		"not an object":             {`["Follow"]`, app.EINVALID},
		"no type":                   {`{"object":"` + carol + `"}`, app.EINVALID},
		"unsupported type":          {`{"type":"Announce","object":"` + carolNote + `"}`, app.EINVALID},
		"spoofed actor":             {`{"type":"Follow","actor":"` + e.urls.Actor("bob") + `","object":"` + carol + `"}`, app.EFORBIDDEN},
		"spoofed author":            {`{"type":"Note","attributedTo":"` + carol + `","content":"x"}`, app.EFORBIDDEN},
		"create without object":     {`{"type":"Create","object":"` + carolNote + `"}`, app.EINVALID},
		"create of a Person":        {`{"type":"Create","object":{"type":"Person"}}`, app.EINVALID},
		"follow nobody":             {`{"type":"Follow"}`, app.EINVALID},
		"follow yourself":           {`{"type":"Follow","object":"` + e.urls.Actor("alice") + `"}`, app.EINVALID},
		"follow unknown actor":      {`{"type":"Follow","object":"https://nowhere.example/u"}`, app.ENOTFOUND},
		"follow unknown local user": {`{"type":"Follow","object":"` + e.urls.Actor("zed") + `"}`, app.ENOTFOUND},
		"like unknown object":       {`{"type":"Like","object":"https://nowhere.example/n"}`, app.ENOTFOUND},
		"undo another user's":       {`{"type":"Undo","object":"` + bobsFollow.URI + `"}`, app.EFORBIDDEN},
		"undo a received activity":  {`{"type":"Undo","object":"` + received.URI + `"}`, app.EFORBIDDEN},
		"undo embedded, other's id": {`{"type":"Undo","object":{"type":"Follow","id":"` + bobsFollow.URI + `"}}`, app.EFORBIDDEN},
		"undo unknown":              {`{"type":"Undo","object":"` + base + `/activities/nope"}`, app.ENOTFOUND},
		"undo a Create":             {`{"type":"Undo","object":"` + aliceNote.URI + `"}`, app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			e.queue.taken()
			_, _, err := e.submit(t, e.alice, tc.body)
			if got := app.ErrorCode(err); got != tc.want {
				t.Fatalf("Submit(%s) = %v (%s), want %s", tc.body, err, got, tc.want)
			}
			if calls := e.queue.taken(); len(calls) != 0 {
				t.Errorf("refused submission queued %v", calls)
			}
		})
	}
	if _, err := e.st.FollowByPair(context.Background(), e.urls.Actor("bob"), carol); err != nil {
		t.Errorf("bob's follow was touched by alice's refused Undo: %v", err)
	}
}

// txWatcher resolves like fakeActors and records, per actor, whether it
// was first asked inside a transaction.
type txWatcher struct {
	fakeActors
	mu      sync.Mutex
	firstTx map[string]bool
}

func (w *txWatcher) Actor(ctx context.Context, uri string, refresh bool) (*app.RemoteActor, error) {
	w.mu.Lock()
	if _, seen := w.firstTx[uri]; !seen {
		w.firstTx[uri] = app.InTx(ctx)
	}
	w.mu.Unlock()
	return w.fakeActors.Actor(ctx, uri, refresh)
}

// TestSubmitCreateResolvesBeforeTheTransaction: the remote actors a post
// is addressed to are resolved (fetched, in production) before the post's
// transaction begins, so no network call holds it open.
func TestSubmitCreateResolvesBeforeTheTransaction(t *testing.T) {
	e := newSubmitEnv(t)
	w := &txWatcher{fakeActors: e.actors, firstTx: map[string]bool{}}
	pub := outbox.New(outbox.Deps{Tx: e.st, Store: e.st, Actors: w, Objects: e.objects, Queue: e.queue, URLs: e.urls})
	c2s := outboxtest.Submitter(e.st, pub, resolver{fakeActors: e.actors, fakeObjects: e.objects}, e.urls)
	if _, err := c2s.Submit(context.Background(), e.alice, []byte(`{"type":"Note","content":"hi","to":["`+carol+`"]}`)); err != nil {
		t.Fatal(err)
	}
	inTx, asked := w.firstTx[carol]
	if !asked || inTx {
		t.Fatalf("carol first resolved inside a transaction: asked %v, in a transaction %v", asked, inTx)
	}
}
