package actors_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
)

type collectionPage struct {
	Context      any    `json:"@context"`
	ID           string `json:"id"`
	Type         string `json:"type"`
	TotalItems   int64  `json:"totalItems"`
	First        string `json:"first"`
	Last         string `json:"last"`
	PartOf       string `json:"partOf"`
	Next         string `json:"next"`
	Prev         string `json:"prev"`
	OrderedItems []any  `json:"orderedItems"`
}

func (e *env) page(t *testing.T, target string) collectionPage {
	t.Helper()
	w := e.get(t, target, apJSON)
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", target, w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != docType {
		t.Errorf("GET %s: Content-Type %q", target, ct)
	}
	var p collectionPage
	mustDecode(t, w, &p)
	return p
}

// TestFollowersPaging walks 25 accepted followers in pages of 10.
func TestFollowersPaging(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	alice := e.urls.Actor("alice")
	var want []any
	for i := range 25 {
		f := fmt.Sprintf("https://remote%d.example/users/f%d", i%3, i)
		e.mustFollow(t, f, alice, app.FollowAccepted)
		want = append([]any{f}, want...) // newest first
	}
	e.mustFollow(t, "https://remote.example/users/pending", alice, app.FollowPending)
	e.mustFollow(t, "https://remote.example/users/rejected", alice, app.FollowRejected)
	e.mustFollow(t, "https://remote.example/users/other", e.urls.Actor("bob"), app.FollowAccepted)

	id := base + "/users/alice/followers"
	col := e.page(t, "/users/alice/followers")
	wantCol := collectionPage{Context: "https://www.w3.org/ns/activitystreams", ID: id, Type: "OrderedCollection",
		TotalItems: 25, First: id + "?page=1", Last: id + "?page=3"}
	if diff := cmp.Diff(wantCol, col); diff != "" {
		t.Errorf("collection (-want +got):\n%s", diff)
	}

	var got []any
	var links [][2]string
	for next := col.First; next != ""; {
		p := e.page(t, next[len(base):])
		if p.Type != "OrderedCollectionPage" || p.PartOf != id || p.ID != next || p.TotalItems != 25 {
			t.Errorf("page %s: %+v", next, p)
		}
		got = append(got, p.OrderedItems...)
		links = append(links, [2]string{p.Prev, p.Next})
		next = p.Next
		if len(links) > 5 {
			t.Fatal("paging does not end")
		}
	}
	wantLinks := [][2]string{{"", id + "?page=2"}, {id + "?page=1", id + "?page=3"}, {id + "?page=2", ""}}
	if diff := cmp.Diff(wantLinks, links); diff != "" {
		t.Errorf("prev/next links (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("followers across pages (-want +got):\n%s", diff)
	}

	beyond := e.page(t, "/users/alice/followers?page=7")
	if len(beyond.OrderedItems) != 0 || beyond.Next != "" || beyond.Prev != id+"?page=3" {
		t.Errorf("page past the end: %+v", beyond)
	}
	if first := e.page(t, "/users/alice/followers?page=true"); len(first.OrderedItems) != 10 || first.Next != id+"?page=2" {
		t.Errorf("page=true is not the first page: %+v", first)
	}
}

func TestFollowingAndEmptyCollections(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	e.mustUser(t, app.User{Username: "bob"})
	alice := e.urls.Actor("alice")
	e.mustFollow(t, alice, "https://m.example/users/a", app.FollowAccepted)
	e.mustFollow(t, alice, e.urls.Actor("bob"), app.FollowAccepted)
	e.mustFollow(t, alice, "https://m.example/users/b", app.FollowPending)

	p := e.page(t, "/users/alice/following?page=1")
	if diff := cmp.Diff([]any{e.urls.Actor("bob"), "https://m.example/users/a"}, p.OrderedItems); diff != "" {
		t.Errorf("following (-want +got):\n%s", diff)
	}
	if p.TotalItems != 2 || p.Next != "" || p.Prev != "" {
		t.Errorf("following page %+v", p)
	}

	empty := e.page(t, "/users/bob/following")
	if empty.TotalItems != 0 || empty.First != base+"/users/bob/following?page=1" || empty.Last != empty.First {
		t.Errorf("empty collection %+v", empty)
	}
	if p := e.page(t, "/users/bob/following?page=1"); p.OrderedItems == nil || len(p.OrderedItems) != 0 {
		t.Errorf("empty page must list [] items: %+v", p)
	}
}

func TestBadPage(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	for _, q := range []string{"0", "-1", "abc", "100001", "1.5"} {
		if w := e.get(t, "/users/alice/followers?page="+q, apJSON); w.Code != http.StatusBadRequest {
			t.Errorf("page=%s: status %d, want 400", q, w.Code)
		}
	}
}

// TestOutbox lists only the user's public local activities, newest first,
// as stored.
func TestOutbox(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	e.mustUser(t, app.User{Username: "bob"})
	alice, bob := e.urls.Actor("alice"), e.urls.Actor("bob")
	act := func(id, actor string, local, public bool) {
		e.mustActivity(t, app.Activity{URI: base + "/activities/" + id, Type: "Create", ActorURI: actor, Local: local, Public: public},
			map[string]any{"id": base + "/objects/" + id, "type": "Note", "content": "<p>" + id + " & more</p>"})
	}
	act("a1", alice, true, true)
	act("a2", alice, true, false) // followers-only
	act("a3", alice, true, true)
	act("b1", bob, true, true)
	act("r1", alice, false, true) // not ours to publish, whatever its actor says
	act("a4", alice, true, true)

	id := base + "/users/alice/outbox"
	col := e.page(t, "/users/alice/outbox")
	if col.TotalItems != 3 || col.First != id+"?page=1" {
		t.Errorf("outbox %+v", col)
	}
	p := e.page(t, "/users/alice/outbox?page=1")
	var ids []string
	for _, it := range p.OrderedItems {
		doc := it.(map[string]any)
		ids = append(ids, doc["id"].(string))
		obj := doc["object"].(map[string]any)
		if obj["type"] != "Note" || doc["actor"] != alice {
			t.Errorf("activity not as stored: %v", doc)
		}
	}
	want := []string{base + "/activities/a4", base + "/activities/a3", base + "/activities/a1"}
	if !slices.Equal(ids, want) {
		t.Errorf("outbox items %v, want %v", ids, want)
	}

	inst := e.page(t, "/actor/outbox")
	if inst.ID != base+"/actor/outbox" || inst.TotalItems != 0 || inst.Type != "OrderedCollection" {
		t.Errorf("instance outbox %+v", inst)
	}
}
