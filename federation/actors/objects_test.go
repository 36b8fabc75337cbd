package actors_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
)

func TestActivitiesAndObjects(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	alice := e.urls.Actor("alice")
	note := func(id, content string) map[string]any {
		return map[string]any{"id": base + "/objects/" + id, "type": "Note", "attributedTo": alice, "content": content}
	}
	store := func(id, typ, object string, public, local bool, embedded any) {
		e.mustActivity(t, app.Activity{URI: base + "/activities/" + id, Type: typ, ActorURI: alice,
			ObjectURI: base + "/objects/" + object, Local: local, Public: public}, embedded)
	}
	store("c1", "Create", "n1", true, true, note("n1", "hello"))
	store("c2", "Create", "n2", false, true, note("n2", "followers only"))
	store("c3", "Create", "n3", true, true, note("n3", "first"))
	store("u3", "Update", "n3", true, true, note("n3", "edited"))
	store("c4", "Create", "n4", true, true, note("n4", "soon gone"))
	store("d4", "Delete", "n4", true, true, base+"/objects/n4")
	store("r5", "Create", "n5", true, false, note("n5", "received, not ours"))
	store("l6", "Like", "n6", true, true, base+"/objects/n6")
	store("c7", "Create", "n7", true, true, base+"/objects/n7") // object not embedded

	tests := []struct {
		path        string
		wantStatus  int
		wantType    string
		wantContent string
	}{
		{"/activities/c1", 200, "Create", ""},
		{"/activities/c2", 404, "", ""},
		{"/activities/r5", 404, "", ""},
		{"/activities/nope", 404, "", ""},
		{"/objects/n1", 200, "Note", "hello"},
		{"/objects/n2", 404, "", ""},
		{"/objects/n3", 200, "Note", "edited"},
		{"/objects/n4", 410, "Tombstone", ""},
		{"/objects/n5", 404, "", ""},
		{"/objects/n6", 404, "", ""},
		{"/objects/n7", 404, "", ""},
		{"/objects/nope", 404, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			w := e.get(t, tc.path, apJSON)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			var doc map[string]any
			mustDecode(t, w, &doc)
			if tc.wantType == "" {
				if doc["error"] == nil {
					t.Errorf("no error message: %s", w.Body)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != docType {
				t.Errorf("Content-Type %q", ct)
			}
			if doc["type"] != tc.wantType || doc["@context"] != "https://www.w3.org/ns/activitystreams" {
				t.Errorf("document %v", doc)
			}
			if tc.wantContent != "" && doc["content"] != tc.wantContent {
				t.Errorf("content %v, want %q", doc["content"], tc.wantContent)
			}
		})
	}

	// An activity is served byte for byte as stored.
	a, err := e.store.ActivityByURI(t.Context(), base+"/activities/c1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a.Document, e.get(t, "/activities/c1", apJSON).Body.String()); diff != "" {
		t.Errorf("activity body (-stored +served):\n%s", diff)
	}
}
