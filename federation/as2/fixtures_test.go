package as2

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fixtureDir holds documents in the shapes real servers send; see its README.
const fixtureDir = "../testdata"

func mustReadFixture(tb testing.TB, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		tb.Fatalf("read fixture: %v", err)
	}
	return data
}

// actorSummary is what the fixture tables check of an actor.
type actorSummary struct {
	ID, Type, Username, Name, Inbox, SharedInbox, KeyID, URL, Icon string
	Locked, Discoverable                                           bool
	AlsoKnownAs                                                    []string
	AttachmentTypes                                                []string
}

func summarizeActor(a *Actor) actorSummary {
	s := actorSummary{
		ID: a.ID, Type: a.Type, Username: a.PreferredUsername, Name: a.Name,
		Inbox: a.Inbox, SharedInbox: a.SharedInbox, KeyID: a.PublicKey.ID,
		URL: a.URL, Icon: a.IconURL, Locked: a.ManuallyApprovesFollowers,
		Discoverable: a.Discoverable, AlsoKnownAs: a.AlsoKnownAs,
	}
	for _, at := range a.Attachments {
		s.AttachmentTypes = append(s.AttachmentTypes, at.Type)
	}
	return s
}

var actorFixtures = []struct {
	file string
	want actorSummary
}{
	{"mastodon_actor.json", actorSummary{
		ID: "https://mastodon.example/users/alice", Type: "Person", Username: "alice", Name: "Alice :verified:",
		Inbox: "https://mastodon.example/users/alice/inbox", SharedInbox: "https://mastodon.example/inbox",
		KeyID: "https://mastodon.example/users/alice#main-key", URL: "https://mastodon.example/@alice",
		Icon:         "https://files.mastodon.example/accounts/avatars/109/283/512/000/000/001/original/4f1e2d3c.png",
		Discoverable: true, AlsoKnownAs: []string{"https://old.example/users/alice"},
		AttachmentTypes: []string{"PropertyValue", "PropertyValue"},
	}},
	{"gotosocial_actor.json", actorSummary{
		ID: "https://gts.example/users/bob", Type: "Person", Username: "bob", Name: "bob 🐝",
		Inbox: "https://gts.example/users/bob/inbox", SharedInbox: "",
		KeyID: "https://gts.example/users/bob/main-key", URL: "https://gts.example/@bob",
		Icon:   "https://gts.example/fileserver/01HX0AVATARACCT000000000000/attachment/original/01HX0AVATARMEDIA00000000000.webp",
		Locked: true, Discoverable: true, AttachmentTypes: []string{"PropertyValue", "PropertyValue"},
	}},
	{"misskey_actor.json", actorSummary{
		ID: "https://misskey.example/users/9h5x7ab3cd", Type: "Person", Username: "dave", Name: "Dave",
		Inbox: "https://misskey.example/users/9h5x7ab3cd/inbox", SharedInbox: "https://misskey.example/inbox",
		KeyID: "https://misskey.example/users/9h5x7ab3cd#main-key", URL: "https://misskey.example/@dave",
		Icon:         "https://misskey.example/files/webpublic-3c9a1f0e-2b7d-4e5f-8a6b-1c2d3e4f5a6b",
		Discoverable: true, AttachmentTypes: []string{"PropertyValue"},
	}},
	{"wordpress_actor.json", actorSummary{
		ID: "https://blog.example/author/erin/", Type: "Person", Username: "erin", Name: "Erin Example",
		Inbox: "https://blog.example/wp-json/activitypub/1.0/actors/1/inbox", SharedInbox: "",
		KeyID: "https://blog.example/author/erin/#main-key", URL: "https://blog.example/author/erin/",
		Icon:         "https://blog.example/wp-content/uploads/2024/01/erin-150x150.jpg",
		Discoverable: true, AttachmentTypes: []string{"PropertyValue", "PropertyValue", "Link"},
	}},
	{"wordpress_blog_actor.json", actorSummary{
		ID: "https://blog.example/?author=0", Type: "Group", Username: "blog.example", Name: "Small Apiary",
		Inbox:       "https://blog.example/wp-json/activitypub/1.0/actors/0/inbox",
		SharedInbox: "https://blog.example/wp-json/activitypub/1.0/inbox",
		KeyID:       "https://blog.example/?author=0#main-key", URL: "https://blog.example/@blog.example",
		Icon:         "https://blog.example/wp-content/uploads/2024/01/cropped-logo.png",
		Discoverable: true,
	}},
}

func TestParseActorFixtures(t *testing.T) {
	for _, tc := range actorFixtures {
		t.Run(tc.file, func(t *testing.T) {
			a, err := ParseActor(mustReadFixture(t, tc.file))
			if err != nil {
				t.Fatalf("ParseActor: %v", err)
			}
			if diff := cmp.Diff(tc.want, summarizeActor(a)); diff != "" {
				t.Errorf("actor (-want +got):\n%s", diff)
			}
			assertUsableKey(t, a)
		})
	}
}

// assertUsableKey checks the key a verifier would use: a PEM that parses
// as a PKIX public key, owned by the actor and found by its id.
func assertUsableKey(t *testing.T, a *Actor) {
	t.Helper()
	block, _ := pem.Decode([]byte(a.PublicKey.PEM))
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("public key PEM missing or not a PUBLIC KEY block: %.40q", a.PublicKey.PEM)
	}
	if _, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil {
		t.Fatalf("public key does not parse: %v", err)
	}
	if !SameID(a.PublicKey.Owner, a.ID) {
		t.Errorf("key owner %q is not the actor %q", a.PublicKey.Owner, a.ID)
	}
	if k, ok := a.Key(a.PublicKey.ID); !ok || k.PEM != a.PublicKey.PEM {
		t.Errorf("Key(%q) did not find the key", a.PublicKey.ID)
	}
}

// activitySummary is what the fixture tables check of an activity.
type activitySummary struct {
	ID, Type, Actor, ObjectID, Content string
	Public, Embedded                   bool
	ObjectTypes                        []string
}

func summarizeActivity(a *Activity) activitySummary {
	return activitySummary{
		ID: a.ID, Type: a.Type, Actor: a.Actor, ObjectID: a.ObjectID(), Content: a.Content,
		Public: a.Public(), Embedded: a.ObjectEmbedded(), ObjectTypes: a.ObjectTypes(),
	}
}

var activityFixtures = []struct {
	file string
	want activitySummary
	// check looks into the embedded object, where there is one.
	check func(t *testing.T, a *Activity)
}{
	{"mastodon_follow.json", activitySummary{
		ID: "https://mastodon.example/5d3f0c2a-8b7e-4c1d-9e6f-2a1b0c9d8e7f", Type: "Follow",
		Actor: "https://mastodon.example/users/alice", ObjectID: "https://plaudit.example/users/carol",
	}, nil},
	{"mastodon_like.json", activitySummary{
		ID: "https://mastodon.example/users/alice#likes/98765", Type: "Like",
		Actor:    "https://mastodon.example/users/alice",
		ObjectID: "https://gts.example/users/bob/statuses/01HZX5M2Q8W3K7Y9T4B6N1C0DE",
	}, nil},
	{"mastodon_undo_like.json", activitySummary{
		ID: "https://mastodon.example/users/alice#likes/98765/undo", Type: "Undo",
		Actor: "https://mastodon.example/users/alice", ObjectID: "https://mastodon.example/users/alice#likes/98765",
		Embedded: true, ObjectTypes: []string{"Like"},
	}, checkInner("Like", "https://mastodon.example/users/alice", "https://gts.example/users/bob/statuses/01HZX5M2Q8W3K7Y9T4B6N1C0DE")},
	{"mastodon_accept_follow.json", activitySummary{
		ID: "https://mastodon.example/users/alice#accepts/follows/31337", Type: "Accept",
		Actor:    "https://mastodon.example/users/alice",
		ObjectID: "https://plaudit.example/users/carol/follows/01J0F7Q2ZB8K4M6N9P3R5T7V1X",
		Embedded: true, ObjectTypes: []string{"Follow"},
	}, checkInner("Follow", "https://plaudit.example/users/carol", "https://mastodon.example/users/alice")},
	{"mastodon_create_note.json", activitySummary{
		ID: "https://mastodon.example/users/alice/statuses/112548796532145678/activity", Type: "Create",
		Actor:    "https://mastodon.example/users/alice",
		ObjectID: "https://mastodon.example/users/alice/statuses/112548796532145678",
		Public:   true, Embedded: true, ObjectTypes: []string{"Note"},
	}, checkNote("https://mastodon.example/users/alice", "https://mastodon.example/@alice/112548796532145678", "the first")},
	{"mastodon_update_person.json", activitySummary{
		ID: "https://mastodon.example/users/alice#updates/1717320000", Type: "Update",
		Actor: "https://mastodon.example/users/alice", ObjectID: "https://mastodon.example/users/alice",
		Public: true, Embedded: true, ObjectTypes: []string{"Person"},
	}, func(t *testing.T, a *Activity) {
		actor, err := a.ParsedActor()
		if err != nil {
			t.Fatalf("ParsedActor: %v", err)
		}
		if actor.Name != "Alice Gardener :verified:" || !SameID(actor.ID, a.Actor) {
			t.Errorf("updated actor = %q %q", actor.ID, actor.Name)
		}
		assertUsableKey(t, actor)
	}},
	{"mastodon_delete_person.json", activitySummary{
		ID: "https://mastodon.example/users/alice#delete", Type: "Delete",
		Actor: "https://mastodon.example/users/alice", ObjectID: "https://mastodon.example/users/alice",
		Public: true,
	}, nil},
	{"gotosocial_follow.json", activitySummary{
		ID: "https://gts.example/users/bob/follow/01J0G3YQ4H7N2B5V8C1X6Z9M0K", Type: "Follow",
		Actor: "https://gts.example/users/bob", ObjectID: "https://plaudit.example/users/carol",
	}, nil},
	{"gotosocial_like.json", activitySummary{
		ID: "https://gts.example/users/bob/liked/01J0G4A7B2C5D8E1F4G7H0J3K6", Type: "Like",
		Actor:    "https://gts.example/users/bob",
		ObjectID: "https://mastodon.example/users/alice/statuses/112548796532145678",
	}, nil},
	{"gotosocial_create_note.json", activitySummary{
		ID: "https://gts.example/users/bob/statuses/01HZX5M2Q8W3K7Y9T4B6N1C0DE/activity", Type: "Create",
		Actor: "https://gts.example/users/bob", ObjectID: "https://gts.example/users/bob/statuses/01HZX5M2Q8W3K7Y9T4B6N1C0DE",
		Public: true, Embedded: true, ObjectTypes: []string{"Note"},
	}, checkNote("https://gts.example/users/bob", "https://gts.example/@bob/statuses/01HZX5M2Q8W3K7Y9T4B6N1C0DE", "queen spotted")},
	{"misskey_like_reaction.json", activitySummary{
		ID: "https://misskey.example/likes/9h6b2k4m7p", Type: "Like",
		Actor:    "https://misskey.example/users/9h5x7ab3cd",
		ObjectID: "https://mastodon.example/users/alice/statuses/112548796532145678", Content: "🎉",
	}, nil},
	{"misskey_create_note.json", activitySummary{
		ID: "https://misskey.example/notes/9h6c0xq2rs/activity", Type: "Create",
		Actor: "https://misskey.example/users/9h5x7ab3cd", ObjectID: "https://misskey.example/notes/9h6c0xq2rs",
		Public: true, Embedded: true, ObjectTypes: []string{"Note"},
	}, checkNote("https://misskey.example/users/9h5x7ab3cd", "", "meadow")},
	{"wordpress_create_article.json", activitySummary{
		ID: "https://blog.example/?p=42#activity-create-1717488000", Type: "Create",
		Actor: "https://blog.example/author/erin/", ObjectID: "https://blog.example/?p=42",
		Public: true, Embedded: true, ObjectTypes: []string{"Article"},
	}, checkNote("https://blog.example/author/erin/", "https://blog.example/2024/06/04/spring-check-on-the-hives/", "Spring check")},
	{"fedify_create_note.json", activitySummary{
		ID: "https://hollo.example/@frank/0191e4f3-6b08-7003-9d33-f07d1e33d7b4#create", Type: "Create",
		Actor: "https://hollo.example/@frank", ObjectID: "https://hollo.example/@frank/0191e4f3-6b08-7003-9d33-f07d1e33d7b4",
		Public: true, Embedded: true, ObjectTypes: []string{"Note"},
	}, checkNote("https://hollo.example/@frank", "https://hollo.example/@frank/0191e4f3-6b08-7003-9d33-f07d1e33d7b4", "Flattr-style")},
}

// checkInner checks an embedded activity's type, actor and object.
func checkInner(typ, actor, object string) func(*testing.T, *Activity) {
	return func(t *testing.T, a *Activity) {
		inner, err := a.ParsedActivity()
		if err != nil {
			t.Fatalf("ParsedActivity: %v", err)
		}
		got := [3]string{inner.Type, inner.Actor, inner.ObjectID()}
		if want := [3]string{typ, actor, object}; got != want {
			t.Errorf("inner activity = %q, want %q", got, want)
		}
	}
}

// checkNote checks an embedded content object: its author matches the
// activity's actor, it is public, and content and url came through.
func checkNote(author, url, contentPart string) func(*testing.T, *Activity) {
	return func(t *testing.T, a *Activity) {
		o, err := a.ParsedObject()
		if err != nil {
			t.Fatalf("ParsedObject: %v", err)
		}
		if o.AttributedTo != author || !SameID(o.AttributedTo, a.Actor) {
			t.Errorf("attributedTo = %q, want %q (the actor)", o.AttributedTo, author)
		}
		if !o.Public() {
			t.Errorf("object not public: to=%q cc=%q", o.To, o.Cc)
		}
		if o.URL != url {
			t.Errorf("url = %q, want %q", o.URL, url)
		}
		if !strings.Contains(o.Content, contentPart) && !strings.Contains(o.Name, contentPart) {
			t.Errorf("content %q / name %q lacks %q", o.Content, o.Name, contentPart)
		}
		if o.Published.IsZero() {
			t.Errorf("published not parsed")
		}
	}
}

func TestParseActivityFixtures(t *testing.T) {
	for _, tc := range activityFixtures {
		t.Run(tc.file, func(t *testing.T) {
			data := mustReadFixture(t, tc.file)
			a, err := ParseActivity(data)
			if err != nil {
				t.Fatalf("ParseActivity: %v", err)
			}
			if diff := cmp.Diff(tc.want, summarizeActivity(a)); diff != "" {
				t.Errorf("activity (-want +got):\n%s", diff)
			}
			if string(a.Raw) != string(data) {
				t.Errorf("Raw is not the document as received")
			}
			if tc.check != nil {
				tc.check(t, a)
			}
		})
	}
}

// objectSummary is what the fixture tables check of a standalone object.
type objectSummary struct {
	ID, Type, AttributedTo, URL, Name string
	AttributedToAll                   []string
	Public                            bool
}

var objectFixtures = []struct {
	file string
	want objectSummary
}{
	{"peertube_video.json", objectSummary{
		ID: "https://peertube.example/videos/watch/5f1c7a2e-3b4d-4e6f-8a9b-0c1d2e3f4a5b", Type: "Video",
		AttributedTo: "https://peertube.example/accounts/grace",
		AttributedToAll: []string{
			"https://peertube.example/accounts/grace",
			"https://peertube.example/video-channels/grace_bees",
		},
		URL: "https://peertube.example/w/cP3kNqX2vR8tY6uZ9aB1cD", Name: "Opening a hive in spring", Public: true,
	}},
}

func TestParseObjectFixtures(t *testing.T) {
	for _, tc := range objectFixtures {
		t.Run(tc.file, func(t *testing.T) {
			o, err := ParseObject(mustReadFixture(t, tc.file))
			if err != nil {
				t.Fatalf("ParseObject: %v", err)
			}
			got := objectSummary{
				ID: o.ID, Type: o.Type, AttributedTo: o.AttributedTo, URL: o.URL, Name: o.Name,
				AttributedToAll: o.AttributedToAll, Public: o.Public(),
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("object (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEveryFixtureIsChecked fails when a fixture is added to testdata
// without a row in one of the tables above.
func TestEveryFixtureIsChecked(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range actorFixtures {
		covered[tc.file] = true
	}
	for _, tc := range activityFixtures {
		covered[tc.file] = true
	}
	for _, tc := range objectFixtures {
		covered[tc.file] = true
	}
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found: %v", err)
	}
	for _, f := range files {
		if !covered[filepath.Base(f)] {
			t.Errorf("fixture %s has no test row", filepath.Base(f))
		}
	}
}
