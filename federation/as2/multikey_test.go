package as2

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestActorDocumentWithAssertionMethodParsesBack(t *testing.T) {
	id := "https://plaudit.example/actor"
	mk := Multikey{ID: id + "#ed25519-key", Controller: id, PublicKeyMultibase: "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}
	doc := ActorDocument(ActorSpec{ID: id, Type: "Application", Inbox: id + "/inbox", AssertionMethods: []Multikey{mk}})
	ctx := doc["@context"].([]any)
	if len(ctx) != 5 || ctx[2] != DataIntegrityContext || ctx[3] != MultikeyContext {
		t.Fatalf("@context = %v", ctx)
	}
	data, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseActor(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Multikey{mk}, a.AssertionMethods); diff != "" {
		t.Errorf("assertionMethod (-want +got):\n%s", diff)
	}
	if got, ok := a.AssertionMethod(mk.ID); !ok || got != mk {
		t.Errorf("AssertionMethod(%s) = %+v, %v", mk.ID, got, ok)
	}
}

func TestActorDocumentWithoutAssertionMethodKeepsItsContext(t *testing.T) {
	doc := ActorDocument(ActorSpec{ID: "https://plaudit.example/users/a"})
	if ctx := doc["@context"].([]any); len(ctx) != 3 {
		t.Errorf("@context = %v", ctx)
	}
	if _, ok := doc["assertionMethod"]; ok {
		t.Error("assertionMethod without keys")
	}
}

func TestParseAssertionMethodShapes(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want []Multikey
	}{
		{"one object", `{"id":"https://s.example/a","type":"Person","assertionMethod":{"id":"https://s.example/a#k","type":"Multikey","controller":"https://s.example/a","publicKeyMultibase":"z6Mk1"}}`,
			[]Multikey{{ID: "https://s.example/a#k", Controller: "https://s.example/a", PublicKeyMultibase: "z6Mk1"}}},
		{"with expires", `{"id":"https://s.example/a","type":"Person","assertionMethod":[{"id":"https://s.example/a#k","type":["Multikey"],"controller":"https://s.example/a","publicKeyMultibase":"z6Mk1","expires":"2020-01-01T00:00:00Z"}]}`,
			[]Multikey{{ID: "https://s.example/a#k", Controller: "https://s.example/a", PublicKeyMultibase: "z6Mk1", Expires: "2020-01-01T00:00:00Z"}}},
		{"bare id and other types skipped", `{"id":"https://s.example/a","type":"Person","assertionMethod":["https://s.example/a#k",{"id":"https://s.example/a#j","type":"JsonWebKey"}]}`, nil},
	}
	for _, tt := range tests {
		a, err := ParseActor([]byte(tt.doc))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, a.AssertionMethods); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
