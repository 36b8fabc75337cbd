package as2

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestNewActivityRoundTrip(t *testing.T) {
	like := NewActivity("https://plaudit.example/users/carol#likes/1", "Like",
		"https://plaudit.example/users/carol", "https://m.example/users/a/statuses/1")
	undo := NewActivity("https://plaudit.example/users/carol#likes/1/undo", "Undo",
		"https://plaudit.example/users/carol", like).With("to", []string{PublicCollection})

	data, err := undo.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	if strings.Count(string(data), "@context") != 1 {
		t.Errorf("embedded Like kept its @context: %s", data)
	}
	if _, ok := like["@context"]; !ok {
		t.Error("embedding changed the Like document itself")
	}
	a, err := ParseActivity(data)
	if err != nil {
		t.Fatalf("ParseActivity of our own output: %v", err)
	}
	inner, err := a.ParsedActivity()
	if err != nil {
		t.Fatalf("ParsedActivity: %v", err)
	}
	got := []string{a.Type, a.Actor, a.ObjectID(), inner.Type, inner.ObjectID()}
	want := []string{"Undo", "https://plaudit.example/users/carol", "https://plaudit.example/users/carol#likes/1",
		"Like", "https://m.example/users/a/statuses/1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !a.Public() {
		t.Error("to Public lost")
	}
}

func TestMarshalDoesNotEscapeHTML(t *testing.T) {
	d := NewActivity("https://p.example/1", "Create", "https://p.example/u", Document{"type": "Note", "content": "<p>a & b</p>"})
	data, err := d.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"content":"<p>a & b</p>"`) || strings.HasSuffix(string(data), "\n") {
		t.Errorf("marshaled = %s", data)
	}
}

func TestAddContext(t *testing.T) {
	tests := []struct {
		name string
		doc  Document
		want any
	}{
		{"string becomes array", NewActivity("i", "Like", "a", "o"),
			[]any{ActivityStreamsContext, map[string]any{"weight": "ex:weight"}}},
		{"merges into trailing object", Document{"@context": []any{ActivityStreamsContext, map[string]any{"toot": TootNamespace}}},
			[]any{ActivityStreamsContext, map[string]any{"toot": TootNamespace, "weight": "ex:weight"}}},
		{"no context yet", Document{}, []any{ActivityStreamsContext, map[string]any{"weight": "ex:weight"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.doc.AddContext(map[string]any{"weight": "ex:weight"})
			if diff := cmp.Diff(tc.want, tc.doc["@context"]); diff != "" {
				t.Errorf("@context (-want +got):\n%s", diff)
			}
		})
	}
}

func TestActorDocument(t *testing.T) {
	const id = "https://plaudit.example/users/carol"
	var gts struct { // reuse a fixture's real key
		PublicKey struct{ PublicKeyPem string } `json:"publicKey"`
	}
	if err := json.Unmarshal(mustReadFixture(t, "gotosocial_actor.json"), &gts); err != nil {
		t.Fatal(err)
	}
	doc := ActorDocument(ActorSpec{
		ID: id, PreferredUsername: "carol", Name: "Carol", Summary: "<p>creator</p>",
		URL: "https://plaudit.example/@carol", Inbox: id + "/inbox", Outbox: id + "/outbox",
		Followers: id + "/followers", Following: id + "/following", SharedInbox: "https://plaudit.example/inbox",
		PublicKeyID: id + "#main-key", PublicKeyPEM: gts.PublicKey.PublicKeyPem,
		IconURL: "https://plaudit.example/avatars/carol.png", IconMediaType: "image/png",
		Discoverable: true, AlsoKnownAs: []string{"https://m.example/users/carol"},
		Attachments: []Attachment{PropertyValue("Site", "<a href=\"https://carol.example\">carol.example</a>"),
			PaymentLink("Support me", "https://plaudit.example/@carol/support")},
		Published: time.Date(2024, 6, 1, 12, 0, 0, 0, time.FixedZone("CEST", 7200)),
	})

	ctx, _ := doc["@context"].([]any)
	if len(ctx) != 3 || ctx[0] != ActivityStreamsContext || ctx[1] != SecurityContext {
		t.Fatalf("@context = %#v", doc["@context"])
	}
	terms := ctx[2].(map[string]any)
	if terms["manuallyApprovesFollowers"] != "as:manuallyApprovesFollowers" || terms["discoverable"] != "toot:discoverable" || terms["toot"] != TootNamespace {
		t.Errorf("context terms = %v", terms)
	}

	data, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	a, err := ParseActor(data)
	if err != nil {
		t.Fatalf("ParseActor of our own actor: %v", err)
	}
	got := summarizeActor(a)
	want := actorSummary{
		ID: id, Type: "Person", Username: "carol", Name: "Carol", Inbox: id + "/inbox",
		SharedInbox: "https://plaudit.example/inbox", KeyID: id + "#main-key", URL: "https://plaudit.example/@carol",
		Icon: "https://plaudit.example/avatars/carol.png", Discoverable: true,
		AlsoKnownAs: []string{"https://m.example/users/carol"}, AttachmentTypes: []string{"PropertyValue", "Link"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	assertUsableKey(t, a)
	if links := a.PaymentLinks(); len(links) != 1 || links[0].Href != "https://plaudit.example/@carol/support" {
		t.Errorf("payment links = %+v", links)
	}
	if !strings.Contains(string(data), `"rel":"payment"`) || !strings.Contains(string(data), `"published":"2024-06-01T10:00:00Z"`) {
		t.Errorf("marshaled actor = %s", data)
	}
	if _, ok := doc["manuallyApprovesFollowers"].(bool); !ok {
		t.Error("manuallyApprovesFollowers must always be present so Mastodon can show an unlocked account")
	}
}

func TestActorDocumentOmitsEmpty(t *testing.T) {
	doc := ActorDocument(ActorSpec{ID: "https://p.example/u", Type: "Service"})
	for _, key := range []string{"publicKey", "icon", "endpoints", "attachment", "alsoKnownAs", "published", "summary"} {
		if _, ok := doc[key]; ok {
			t.Errorf("empty %s was written", key)
		}
	}
	if doc["type"] != "Service" {
		t.Errorf("type = %v", doc["type"])
	}
}
