package actors_test

import (
	"crypto/ed25519"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/actors"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/proof"
)

func aliceUser() app.User {
	return app.User{
		Username: "alice", DisplayName: "Alice A.", Summary: "Bees & <gardens>\nsecond line\n\nnew paragraph",
		IconURL: "https://cdn.example/avatars/alice.PNG", ManuallyApprovesFollowers: true, Discoverable: true,
		AlsoKnownAs:        "https://old.example/users/alice  https://older.example/@alice",
		AttributionDomains: "blog.example",
		CreatedAt:          time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
	}
}

// TestPersonDocument parses the served Person back with as2.ParseActor and
// checks every field.
func TestPersonDocument(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	w := e.get(t, "/users/alice", apJSON)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if ct := w.Header().Get("Content-Type"); ct != docType {
		t.Errorf("Content-Type = %q", ct)
	}
	got, err := as2.ParseActor(w.Body.Bytes())
	if err != nil {
		t.Fatalf("ParseActor: %v", err)
	}
	id := "https://plaudit.example/users/alice"
	key := as2.PublicKey{ID: id + "#main-key", Owner: id, PEM: strings.TrimSpace(userPubPEM)}
	want := &as2.Actor{
		ID: id, Type: "Person", PreferredUsername: "alice", Name: "Alice A.",
		Summary: "<p>Bees &amp; &lt;gardens&gt;<br>second line</p><p>new paragraph</p>",
		Inbox:   id + "/inbox", Outbox: id + "/outbox", Followers: id + "/followers", Following: id + "/following",
		SharedInbox: "https://plaudit.example/inbox", URL: "https://plaudit.example/@alice",
		IconURL:   "https://cdn.example/avatars/alice.PNG",
		PublicKey: key, PublicKeys: []as2.PublicKey{key},
		ManuallyApprovesFollowers: true, Discoverable: true,
		AlsoKnownAs: []string{"https://old.example/users/alice", "https://older.example/@alice"},
		Attachments: []as2.Attachment{{Type: "Link", Name: "Flattr", Href: "https://plaudit.example/flattr?url=" + url.QueryEscape(id), Rel: []string{"payment"}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("actor (-want +got):\n%s", diff)
	}
	if got.PublicKey.Owner != got.ID {
		t.Errorf("publicKey.owner %q != id %q", got.PublicKey.Owner, got.ID)
	}
	pub, err := httpsig.ParsePublicKeyPEM(got.PublicKey.PEM)
	if err != nil {
		t.Fatalf("publicKeyPem does not parse: %v", err)
	}
	if !userKey.PublicKey.Equal(pub) {
		t.Error("publicKeyPem is not the user's key")
	}

	var raw map[string]any
	mustDecode(t, w, &raw)
	if raw["published"] != "2024-05-06T07:08:09Z" {
		t.Errorf("published = %v", raw["published"])
	}
	if diff := cmp.Diff(map[string]any{"type": "Image", "url": "https://cdn.example/avatars/alice.PNG", "mediaType": "image/png"}, raw["icon"]); diff != "" {
		t.Errorf("icon (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"blog.example"}, raw["attributionDomains"]); diff != "" {
		t.Errorf("attributionDomains (-want +got):\n%s", diff)
	}
}

func TestPersonMinimal(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, app.User{Username: "bob"})
	var raw map[string]any
	mustDecode(t, e.get(t, "/users/bob", apJSON), &raw)
	for _, k := range []string{"icon", "alsoKnownAs", "summary", "name"} {
		if _, ok := raw[k]; ok {
			t.Errorf("%s present for a user without one: %v", k, raw[k])
		}
	}
	for k, want := range map[string]any{"manuallyApprovesFollowers": false, "discoverable": false, "preferredUsername": "bob"} {
		if raw[k] != want {
			t.Errorf("%s = %v, want %v", k, raw[k], want)
		}
	}
}

// TestPersonHasMastodonShape compares the served Person with the actor
// Mastodon serves (federation/testdata/mastodon_actor.json): the same keys
// for what Mastodon reads, the same context IRIs and term definitions.
func TestPersonHasMastodonShape(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	var ours, theirs map[string]any
	mustDecode(t, e.get(t, "/users/alice", apJSON), &ours)
	data, err := os.ReadFile("../testdata/mastodon_actor.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := jsonUnmarshal(data, &theirs); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{
		"@context", "id", "type", "preferredUsername", "name", "summary", "url", "icon", "inbox", "outbox",
		"followers", "following", "endpoints", "publicKey", "manuallyApprovesFollowers", "discoverable",
		"alsoKnownAs", "published",
	} {
		if _, ok := theirs[k]; !ok {
			t.Fatalf("fixture lacks %s", k)
		}
		if _, ok := ours[k]; !ok {
			t.Errorf("our actor lacks %s, which Mastodon's has", k)
		}
	}
	sub := func(doc map[string]any, key string) []string { return keysOf(doc[key].(map[string]any)) }
	for _, k := range []string{"publicKey", "endpoints"} {
		if diff := cmp.Diff(sub(theirs, k), sub(ours, k)); diff != "" {
			t.Errorf("%s keys (-mastodon +ours):\n%s", k, diff)
		}
	}
	if diff := cmp.Diff(sub(theirs, "icon"), sub(ours, "icon")); diff != "" {
		t.Errorf("icon keys (-mastodon +ours):\n%s", diff)
	}
	oc, tc := ours["@context"].([]any), theirs["@context"].([]any)
	if diff := cmp.Diff(tc[:2], oc[:2]); diff != "" {
		t.Errorf("context IRIs (-mastodon +ours):\n%s", diff)
	}
	ourTerms, theirTerms := oc[len(oc)-1].(map[string]any), tc[len(tc)-1].(map[string]any)
	for _, term := range []string{"manuallyApprovesFollowers", "toot", "discoverable", "alsoKnownAs"} {
		if diff := cmp.Diff(theirTerms[term], ourTerms[term]); diff != "" {
			t.Errorf("term %s (-mastodon +ours):\n%s", term, diff)
		}
	}
}

func TestContentNegotiation(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	tests := []struct {
		name, accept string
		wantJSON     bool
	}{
		{"activity+json", "application/activity+json", true},
		{"ld+json with profile", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{"ld+json", "application/ld+json", true},
		{"json", "application/json", true},
		{"mastodon", "application/activity+json, application/ld+json", true},
		{"both equal", "text/html, application/activity+json", true},
		{"browser", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"html preferred", "text/html, application/activity+json;q=0.5", false},
		{"activity refused", "application/activity+json;q=0", false},
		{"wildcard", "*/*", false},
		{"none", "", false},
		{"garbage", ";;;", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := e.get(t, "/users/alice", tc.accept)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if v := w.Header().Get("Vary"); v != "Accept" {
				t.Errorf("Vary = %q", v)
			}
			gotJSON := w.Header().Get("Content-Type") == docType
			gotHTML := w.Body.String() == "<html>profile of alice</html>"
			if gotJSON != tc.wantJSON || gotHTML == tc.wantJSON {
				t.Errorf("Accept %q: JSON %v, HTML handler %v; want JSON %v", tc.accept, gotJSON, gotHTML, tc.wantJSON)
			}
		})
	}
}

func TestNoHTMLHandler(t *testing.T) {
	e := newEnv(t, func(d *actors.Deps) { d.HTML = nil })
	e.mustUser(t, aliceUser())
	w := e.get(t, "/users/alice", "text/html")
	if w.Code != http.StatusNotAcceptable {
		t.Fatalf("status %d, want 406", w.Code)
	}
	if w.Header().Get("Vary") != "Accept" {
		t.Error("no Vary: Accept")
	}
}

func TestUnknownUser(t *testing.T) {
	e := newEnv(t, nil)
	e.mustUser(t, aliceUser())
	for _, path := range []string{"/users/nobody", "/users/Alice", "/users/nobody/followers", "/users/nobody/following", "/users/nobody/outbox"} {
		t.Run(path, func(t *testing.T) {
			w := e.get(t, path, apJSON)
			if w.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404", w.Code)
			}
			var body struct{ Error string }
			mustDecode(t, w, &body)
			if body.Error == "" {
				t.Errorf("no error message: %s", w.Body)
			}
		})
	}
}

func TestInstanceActor(t *testing.T) {
	e := newEnv(t, nil)
	w := e.get(t, "/actor", "")
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != docType {
		t.Fatalf("status %d, Content-Type %q", w.Code, w.Header().Get("Content-Type"))
	}
	got, err := as2.ParseActor(w.Body.Bytes())
	if err != nil {
		t.Fatalf("ParseActor: %v", err)
	}
	key, err := e.keys.Instance(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ed, err := e.keys.InstanceEd25519(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	pk := as2.PublicKey{ID: base + "/actor#main-key", Owner: base + "/actor", PEM: strings.TrimSpace(key.PublicKeyPEM)}
	mk := as2.Multikey{ID: base + "/actor#ed25519-key", Controller: base + "/actor", PublicKeyMultibase: proof.EncodeMultikey(ed.Public().(ed25519.PublicKey))}
	want := &as2.Actor{
		ID: base + "/actor", Type: "Application", PreferredUsername: "instance.actor", Name: "plaudit.example",
		Inbox: base + "/actor/inbox", Outbox: base + "/actor/outbox", SharedInbox: base + "/inbox", URL: base,
		PublicKey: pk, PublicKeys: []as2.PublicKey{pk}, ManuallyApprovesFollowers: true,
		AssertionMethods: []as2.Multikey{mk},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("instance actor (-want +got):\n%s", diff)
	}
	if _, err := httpsig.ParsePublicKeyPEM(got.PublicKey.PEM); err != nil {
		t.Errorf("instance key does not parse: %v", err)
	}
	// The keys are made once: a second fetch shows the same ones.
	again, err := as2.ParseActor(e.get(t, "/actor", apJSON).Body.Bytes())
	if err != nil || again.PublicKey.PEM != got.PublicKey.PEM || !cmp.Equal(again.AssertionMethods, got.AssertionMethods) {
		t.Errorf("instance keys changed between fetches (err %v)", err)
	}
	// FEP-521a's contexts, after the ones Mastodon reads.
	var raw struct {
		Context []any `json:"@context"`
	}
	mustDecode(t, w, &raw)
	if len(raw.Context) != 5 || raw.Context[0] != as2.ActivityStreamsContext || raw.Context[1] != as2.SecurityContext ||
		raw.Context[2] != as2.DataIntegrityContext || raw.Context[3] != as2.MultikeyContext {
		t.Errorf("@context = %v", raw.Context)
	}
}

func TestSummaryHTML(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "  \n ", ""},
		{"escaped", `a <b> & "c"`, "<p>a &lt;b&gt; &amp; &#34;c&#34;</p>"},
		{"lines", "one\r\ntwo", "<p>one<br>two</p>"},
		{"paragraphs", "one\n\n\n\ntwo", "<p>one</p><p>two</p>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := actors.SummaryHTML(tc.in); got != tc.want {
				t.Errorf("SummaryHTML(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
