package as2

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"a":`, MaxDepth) + `1` + strings.Repeat(`}`, MaxDepth)
	tooDeep := `{"id":"x","type":"Note","a":` + strings.Repeat(`[`, MaxDepth) + strings.Repeat(`]`, MaxDepth) + `}`
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", ``, ErrMalformed},
		{"whitespace", " \n\t", ErrMalformed},
		{"truncated", `{"id":"https://m.example/1","type":"Like"`, ErrMalformed},
		{"trailing garbage", `{"id":"x","type":"Like"} {}`, ErrMalformed},
		{"not JSON", `<html>`, ErrMalformed},
		{"array", `[{"id":"x","type":"Like"}]`, ErrNotObject},
		{"string", `"https://m.example/1"`, ErrNotObject},
		{"null", `null`, ErrNotObject},
		{"number", `42`, ErrNotObject},
		{"missing type", `{"id":"https://m.example/1","actor":"https://m.example/a"}`, ErrMissingType},
		{"type not a string", `{"id":"https://m.example/1","type":7}`, ErrMissingType},
		{"missing id", `{"type":"Like","actor":"https://m.example/a"}`, ErrMissingID},
		{"blank id", `{"id":"  ","type":"Like"}`, ErrMissingID},
		{"id not a string", `{"id":{"x":1},"type":"Like"}`, ErrMissingID},
		{"too deep", tooDeep, ErrTooDeep},
		{"deep but within limit, no type", deep, ErrMissingType},
		{"brackets inside strings do not count", `{"id":"x","content":"` + strings.Repeat(`[{`, 100) + `"}`, ErrMissingType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseActivity([]byte(tc.in))
			if !errors.Is(err, tc.want) {
				t.Fatalf("ParseActivity error = %v, want %v", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parse activity: ") {
				t.Errorf("error lacks context: %q", err)
			}
		})
	}
}

func TestParseActorErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"note is not an actor", `{"id":"https://m.example/1","type":"Note"}`, ErrUnexpectedType},
		{"tombstone of a deleted actor", `{"id":"https://m.example/users/gone","type":"Tombstone"}`, ErrUnexpectedType},
		{"no type", `{"id":"https://m.example/users/a","inbox":"https://m.example/inbox"}`, ErrMissingType},
		{"no id", `{"type":"Person","inbox":"https://m.example/inbox"}`, ErrMissingID},
		{"array", `[]`, ErrNotObject},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseActor([]byte(tc.in)); !errors.Is(err, tc.want) {
				t.Fatalf("ParseActor error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestParseObjectErrors(t *testing.T) {
	if _, err := ParseObject([]byte(`{"type":"Note","content":"x"}`)); !errors.Is(err, ErrMissingID) {
		t.Errorf("object without id: %v", err)
	}
	if _, err := ParseObject([]byte(`{"id":"https://m.example/1"}`)); !errors.Is(err, ErrMissingType) {
		t.Errorf("object without type: %v", err)
	}
}

func TestContextForms(t *testing.T) {
	for name, ctx := range map[string]string{
		"string":  `"https://www.w3.org/ns/activitystreams"`,
		"object":  `{"@vocab":"https://www.w3.org/ns/activitystreams#"}`,
		"array":   `["https://www.w3.org/ns/activitystreams",{"toot":"http://joinmastodon.org/ns#"}]`,
		"null":    `null`,
		"number":  `3`,
		"missing": ``,
	} {
		t.Run(name, func(t *testing.T) {
			doc := `{"id":"https://m.example/l/1","type":"Like","actor":"https://m.example/a","object":"https://n.example/1"}`
			if ctx != "" {
				doc = `{"@context":` + ctx + `,` + doc[1:]
			}
			a, err := ParseActivity([]byte(doc))
			if err != nil {
				t.Fatalf("ParseActivity: %v", err)
			}
			if a.ObjectID() != "https://n.example/1" {
				t.Errorf("ObjectID = %q", a.ObjectID())
			}
		})
	}
}

func TestAcceptFollowByReferenceOrEmbedded(t *testing.T) {
	const followID = "https://plaudit.example/users/carol/follows/1"
	tests := []struct {
		name, object string
		embedded     bool
	}{
		{"embedded", `{"id":"` + followID + `","type":"Follow","actor":"https://plaudit.example/users/carol","object":"https://m.example/users/a"}`, true},
		{"reference", `"` + followID + `"`, false},
		{"reference in array", `["` + followID + `"]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseActivity([]byte(`{"id":"https://m.example/a#accepts/1","type":"Accept","actor":"https://m.example/users/a","object":` + tc.object + `}`))
			if err != nil {
				t.Fatalf("ParseActivity: %v", err)
			}
			if !SameID(a.ObjectID(), followID) {
				t.Errorf("ObjectID = %q, want %q", a.ObjectID(), followID)
			}
			inner, err := a.ParsedActivity()
			if tc.embedded {
				if err != nil || inner.Type != "Follow" || inner.ID != followID {
					t.Errorf("ParsedActivity = %+v, %v", inner, err)
				}
				return
			}
			if !errors.Is(err, ErrNotEmbedded) {
				t.Errorf("ParsedActivity error = %v, want ErrNotEmbedded", err)
			}
		})
	}
}

func TestEmbeddedWithoutID(t *testing.T) {
	// Some servers embed the undone Follow without its id; the Undo itself
	// still has one.
	a, err := ParseActivity([]byte(`{"id":"https://p.example/undo/1","type":"Undo","actor":"https://p.example/u/a",
		"object":{"type":"Follow","actor":"https://p.example/u/a","object":"https://m.example/users/b"}}`))
	if err != nil {
		t.Fatalf("ParseActivity: %v", err)
	}
	inner, err := a.ParsedActivity()
	if err != nil {
		t.Fatalf("ParsedActivity: %v", err)
	}
	if inner.Type != "Follow" || inner.ID != "" || inner.ObjectID() != "https://m.example/users/b" {
		t.Errorf("inner = %+v", inner)
	}
	if _, err := a.ParsedObject(); err != nil {
		t.Errorf("ParsedObject of typed embed without id: %v", err)
	}
	noType, _ := ParseActivity([]byte(`{"id":"https://p.example/undo/2","type":"Undo","object":{"actor":"x"}}`))
	if _, err := noType.ParsedActivity(); !errors.Is(err, ErrMissingType) {
		t.Errorf("embed without type: %v, want ErrMissingType", err)
	}
}

func TestActivityObjectAbsentOrNull(t *testing.T) {
	for _, doc := range []string{
		`{"id":"https://m.example/1","type":"Delete","object":null}`,
		`{"id":"https://m.example/1","type":"Delete"}`,
	} {
		a, err := ParseActivity([]byte(doc))
		if err != nil {
			t.Fatalf("ParseActivity(%s): %v", doc, err)
		}
		if a.Object != nil || a.ObjectID() != "" || a.ObjectEmbedded() {
			t.Errorf("object of %s = %q", doc, a.Object)
		}
		if _, err := a.ParsedObject(); !errors.Is(err, ErrNotEmbedded) {
			t.Errorf("ParsedObject: %v", err)
		}
	}
}

func TestActivityLeniency(t *testing.T) {
	a, err := ParseActivity([]byte(`{
		"id":"https://k.example/likes/1","type":["as:Like","misskey:Reaction"],
		"actor":{"type":"Person","id":"https://k.example/users/1"},
		"object":{"type":"Note","id":"https://m.example/n/1","attributedTo":"https://m.example/users/a"},
		"target":{"type":"Collection","id":"https://m.example/c"},
		"to":"Public","cc":[{"id":"https://k.example/users/1/followers"}],
		"published":"2024-06-03T06:30:41.512Z",
		"_misskey_reaction":":blobcat:"}`))
	if err != nil {
		t.Fatalf("ParseActivity: %v", err)
	}
	got := []string{a.Type, a.Actor, a.ObjectID(), a.Target, a.Content}
	want := []string{"Like", "https://k.example/users/1", "https://m.example/n/1", "https://m.example/c", ":blobcat:"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Like", "misskey:Reaction"}, a.Types); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	if !a.Public() || a.Published.IsZero() {
		t.Errorf("public=%v published=%v", a.Public(), a.Published)
	}
}

func TestActorLeniency(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, a *Actor)
	}{
		{"publicKey array, first without PEM", `{"id":"https://x.example/u","type":["Service","x:Bot"],
			"publicKey":[{"id":"https://x.example/u#ed","owner":"https://x.example/u"},
			             {"id":"https://x.example/u#main-key","owner":"https://x.example/u","publicKeyPem":"-----BEGIN PUBLIC KEY-----\nAA==\n-----END PUBLIC KEY-----\n"}]}`,
			func(t *testing.T, a *Actor) {
				if a.Type != "Service" || a.PublicKey.ID != "https://x.example/u#main-key" || len(a.PublicKeys) != 2 {
					t.Errorf("type=%q key=%q keys=%d", a.Type, a.PublicKey.ID, len(a.PublicKeys))
				}
				if _, ok := a.Key("https://X.example/u#ed"); !ok {
					t.Error("Key by id with other host case not found")
				}
				if _, ok := a.Key("https://x.example/u"); ok {
					t.Error("Key matched the actor id, not a key id")
				}
			}},
		{"publicKey as a bare id", `{"id":"https://x.example/u","type":"Person","publicKey":"https://x.example/u#k"}`,
			func(t *testing.T, a *Actor) {
				if a.PublicKey.ID != "https://x.example/u#k" || a.PublicKey.PEM != "" {
					t.Errorf("key = %+v", a.PublicKey)
				}
			}},
		{"url array and icon array", `{"id":"https://x.example/u","type":"Person",
			"url":[{"type":"Link","mediaType":"application/activity+json","href":"https://x.example/u"},{"type":"Link","mediaType":"text/html","href":"https://x.example/@u"}],
			"icon":[{"type":"Image","url":"https://x.example/a.png"},{"type":"Image","url":"https://x.example/b.png"}]}`,
			func(t *testing.T, a *Actor) {
				if a.URL != "https://x.example/@u" || a.IconURL != "https://x.example/a.png" {
					t.Errorf("url=%q icon=%q", a.URL, a.IconURL)
				}
			}},
		{"names only in maps, nulls elsewhere", `{"id":"https://x.example/u","type":"Person","name":null,
			"nameMap":{"de":"Uli"},"summaryMap":{"en":"hi"},"icon":null,"endpoints":null,"alsoKnownAs":"https://y.example/u",
			"movedTo":{"id":"https://z.example/u","type":"Person"},"manuallyApprovesFollowers":"true"}`,
			func(t *testing.T, a *Actor) {
				got := []string{a.Name, a.Summary, a.IconURL, a.SharedInbox, a.MovedTo}
				want := []string{"Uli", "hi", "", "", "https://z.example/u"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
				if diff := cmp.Diff([]string{"https://y.example/u"}, a.AlsoKnownAs); diff != "" || !a.ManuallyApprovesFollowers {
					t.Errorf("alsoKnownAs %s locked=%v", diff, a.ManuallyApprovesFollowers)
				}
			}},
		{"FEP-0ea0 payment links", `{"id":"https://x.example/u","type":"Person","attachment":[
			{"type":"PropertyValue","name":"Site","value":"<a href=\"https://x.example\">x</a>"},
			{"type":"Link","name":"Donate","href":"payto://iban/DE75512108001245126199","rel":"payment"},
			{"type":"Link","name":"Tip jar","href":"https://tips.example/u","rel":["me","payment"]},
			{"type":"Link","name":"Home","href":"https://x.example","rel":["me"]},
			{"type":"Link","name":"No href","rel":"payment"}]}`,
			func(t *testing.T, a *Actor) {
				var got []string
				for _, p := range a.PaymentLinks() {
					got = append(got, p.Name+" "+p.Href)
				}
				want := []string{"Donate payto://iban/DE75512108001245126199", "Tip jar https://tips.example/u"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("payment links (-want +got):\n%s", diff)
				}
			}},
		{"attachments keyed by name (old WordPress plugin)", `{"id":"https://b.example/?author=1","type":"Person",
			"attachment":{"profile_url":{"type":"PropertyValue","name":"Profile","value":"p"},"blog_url":{"type":"PropertyValue","name":"Blog","value":"b"}}}`,
			func(t *testing.T, a *Actor) {
				if len(a.Attachments) != 2 || a.Attachments[0].Name != "Blog" || a.Attachments[1].Name != "Profile" {
					t.Errorf("attachments = %+v", a.Attachments)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseActor([]byte(tc.doc))
			if err != nil {
				t.Fatalf("ParseActor: %v", err)
			}
			tc.check(t, a)
		})
	}
}

func TestObjectLeniency(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		check func(t *testing.T, o *Object)
	}{
		{"PeerTube attributedTo as strings", `{"id":"https://p.example/v/1","type":"Video",
			"attributedTo":["https://p.example/accounts/g","https://p.example/video-channels/g_c"]}`,
			func(t *testing.T, o *Object) {
				if o.AttributedTo != "https://p.example/accounts/g" || len(o.AttributedToAll) != 2 {
					t.Errorf("attributedTo=%q all=%q", o.AttributedTo, o.AttributedToAll)
				}
			}},
		{"content only in contentMap, single tag object, inReplyTo embedded", `{"id":"https://x.example/n","type":"Note",
			"contentMap":{"fr":"<p>salut</p>"},"tag":{"type":"Mention","href":"https://m.example/users/a","name":"@a@m.example"},
			"inReplyTo":{"id":"https://m.example/n/0","type":"Note"},"sensitive":true,"updated":null}`,
			func(t *testing.T, o *Object) {
				if o.Content != "<p>salut</p>" || o.InReplyTo != "https://m.example/n/0" || !o.Sensitive || !o.Updated.IsZero() {
					t.Errorf("content=%q inReplyTo=%q sensitive=%v updated=%v", o.Content, o.InReplyTo, o.Sensitive, o.Updated)
				}
				want := []Tag{{Type: "Mention", Name: "@a@m.example", Href: "https://m.example/users/a"}}
				if diff := cmp.Diff(want, o.Tags); diff != "" {
					t.Errorf("tags (-want +got):\n%s", diff)
				}
			}},
		{"not public when only followers", `{"id":"https://x.example/n","type":"Note","to":["https://x.example/f"]}`,
			func(t *testing.T, o *Object) {
				if o.Public() {
					t.Error("followers-only note reported public")
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o, err := ParseObject([]byte(tc.doc))
			if err != nil {
				t.Fatalf("ParseObject: %v", err)
			}
			tc.check(t, o)
		})
	}
}

func TestRawIsACopy(t *testing.T) {
	data := []byte(`{"id":"https://m.example/1","type":"Like","object":"https://n.example/1"}`)
	a, err := ParseActivity(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := range data {
		data[i] = ' '
	}
	if a.ObjectID() != "https://n.example/1" || !strings.Contains(string(a.Raw), `"Like"`) {
		t.Errorf("activity changed with the caller's buffer: %q", a.Raw)
	}
}
