package as2

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// mustDecode turns a JSON literal into the values the helpers receive.
func mustDecode(tb testing.TB, s string) any {
	tb.Helper()
	v := decodeValue(json.RawMessage(s))
	if v == nil && s != "null" {
		tb.Fatalf("bad JSON in test: %s", s)
	}
	return v
}

func TestIDOf(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"string", `"https://a.example/u/1"`, "https://a.example/u/1"},
		{"string with spaces", `"  https://a.example/u/1 "`, "https://a.example/u/1"},
		{"object", `{"type":"Person","id":"https://a.example/u/1"}`, "https://a.example/u/1"},
		{"json-ld @id", `{"@id":"https://a.example/u/1"}`, "https://a.example/u/1"},
		{"link href", `{"type":"Link","href":"https://a.example/u/1"}`, "https://a.example/u/1"},
		{"array of strings", `["https://a.example/u/1","https://a.example/u/2"]`, "https://a.example/u/1"},
		{"array of objects (PeerTube)", `[{"type":"Person","id":"https://p.example/accounts/g"},{"type":"Group","id":"https://p.example/c/g"}]`, "https://p.example/accounts/g"},
		{"array skips empty", `[{"type":"Person"},"https://a.example/u/2"]`, "https://a.example/u/2"},
		{"object without id", `{"type":"Note","content":"x"}`, ""},
		{"id not a string", `{"id":42}`, ""},
		{"number", `42`, ""},
		{"null", `null`, ""},
		{"nested array ignored", `[["https://a.example/u/1"]]`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IDOf(mustDecode(t, tc.in)); got != tc.want {
				t.Errorf("IDOf(%s) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestIDsOf(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"single string (GoToSocial to)", `"https://www.w3.org/ns/activitystreams#Public"`, []string{PublicCollection}},
		{"array", `["a","b"]`, []string{"a", "b"}},
		{"mixed", `["a",{"id":"b"},{"type":"Note"},7]`, []string{"a", "b"}},
		{"object", `{"id":"a"}`, []string{"a"}},
		{"empty array", `[]`, nil},
		{"null", `null`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, IDsOf(mustDecode(t, tc.in))); diff != "" {
				t.Errorf("IDsOf(%s) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestTypesOf(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"string", `"Note"`, []string{"Note"}},
		{"array", `["Person","foo:Bar"]`, []string{"Person", "foo:Bar"}},
		{"compact prefix", `"as:Like"`, []string{"Like"}},
		{"full IRI", `"https://www.w3.org/ns/activitystreams#Create"`, []string{"Create"}},
		{"whole object", `{"type":"Follow","id":"x"}`, []string{"Follow"}},
		{"object with @type", `{"@type":["Note"]}`, []string{"Note"}},
		{"not a type", `{"id":"x"}`, nil},
		{"number", `3`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, TypesOf(mustDecode(t, tc.in))); diff != "" {
				t.Errorf("TypesOf(%s) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestStringOf(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"string", `"hi"`, "hi"},
		{"number", `12.50`, "12.50"},
		{"value object", `{"@value":"hi","@language":"en"}`, "hi"},
		{"array", `[null,"hi","there"]`, "hi"},
		{"bool", `true`, ""},
		{"object", `{"a":"b"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := StringOf(mustDecode(t, tc.in)); got != tc.want {
				t.Errorf("StringOf(%s) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestTextOf(t *testing.T) {
	tests := []struct{ name, doc, key, want string }{
		{"plain wins", `{"content":"<p>a</p>","contentMap":{"de":"<p>b</p>"}}`, "content", "<p>a</p>"},
		{"map only, one language", `{"contentMap":{"de":"<p>hallo</p>"}}`, "content", "<p>hallo</p>"},
		{"map prefers en", `{"nameMap":{"fr":"bonjour","en":"hello","de":"hallo"}}`, "name", "hello"},
		{"map falls back to und", `{"summaryMap":{"fr":"resume","und":"summary"}}`, "summary", "summary"},
		{"map lowest tag otherwise", `{"contentMap":{"fr":"salut","de":"hallo"}}`, "content", "hallo"},
		{"empty plain uses map", `{"content":"","contentMap":{"ja":"こんにちは"}}`, "content", "こんにちは"},
		{"neither", `{"type":"Note"}`, "content", ""},
		{"map not an object", `{"contentMap":"x"}`, "content", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustDecode(t, tc.doc).(map[string]any)
			if got := TextOf(doc, tc.key); got != tc.want {
				t.Errorf("TextOf(%s, %q) = %q, want %q", tc.doc, tc.key, got, tc.want)
			}
		})
	}
}

func TestURLOf(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"string", `"https://m.example/@a"`, "https://m.example/@a"},
		{"link", `{"type":"Link","href":"https://m.example/@a","mediaType":"text/html"}`, "https://m.example/@a"},
		{"image with url", `{"type":"Image","url":"https://m.example/a.png"}`, "https://m.example/a.png"},
		{"image with link url", `{"type":"Image","url":{"type":"Link","href":"https://m.example/a.png"}}`, "https://m.example/a.png"},
		{"array picks text/html", `[{"type":"Link","mediaType":"video/mp4","href":"https://p.example/v.mp4"},{"type":"Link","mediaType":"text/html","href":"https://p.example/w/1"}]`, "https://p.example/w/1"},
		{"array with charset", `[{"href":"https://p.example/v.mp4"},{"mediaType":"text/html; charset=utf-8","href":"https://p.example/w/1"}]`, "https://p.example/w/1"},
		{"array falls back to first", `[{"type":"Link","mediaType":"video/mp4","href":"https://p.example/v.mp4"},"https://p.example/x"]`, "https://p.example/v.mp4"},
		{"array of icons", `[{"type":"Image","url":"https://a.example/1.png"},{"type":"Image","url":"https://a.example/2.png"}]`, "https://a.example/1.png"},
		{"null", `null`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := URLOf(mustDecode(t, tc.in)); got != tc.want {
				t.Errorf("URLOf(%s) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestBoolOf(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`true`, true}, {`false`, false}, {`"true"`, true}, {`"false"`, false},
		{`"1"`, true}, {`1`, false}, {`null`, false}, {`[true]`, true}, {`[[true]]`, false},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			if got := BoolOf(mustDecode(t, tc.in)); got != tc.want {
				t.Errorf("BoolOf(%s) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestTimeOf(t *testing.T) {
	want := time.Date(2024, 6, 3, 6, 30, 41, 512e6, time.UTC)
	tests := []struct {
		name, in string
		want     time.Time
	}{
		{"misskey millis", `"2024-06-03T06:30:41.512Z"`, want},
		{"offset", `"2024-06-03T08:30:41.512+02:00"`, want},
		{"no zone", `"2024-06-03T06:30:41.512"`, want},
		{"seconds", `"2024-06-02T09:14:07Z"`, time.Date(2024, 6, 2, 9, 14, 7, 0, time.UTC)},
		{"date only", `"2024-06-02"`, time.Date(2024, 6, 2, 0, 0, 0, 0, time.UTC)},
		{"garbage", `"yesterday"`, time.Time{}},
		{"missing", `null`, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TimeOf(mustDecode(t, tc.in)); !got.Equal(tc.want) {
				t.Errorf("TimeOf(%s) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestHasTypeAndIsActorType(t *testing.T) {
	doc := mustDecode(t, `{"type":["as:Person","foo:Bot"]}`)
	if !HasType(doc, "Person") || !HasType(doc, "foo:Bot") || HasType(doc, "Service") {
		t.Errorf("HasType wrong for %v", doc)
	}
	for typ, want := range map[string]bool{"Person": true, "Group": true, "Organization": true, "Note": false, "person": false} {
		if IsActorType(typ) != want {
			t.Errorf("IsActorType(%q) = %v", typ, !want)
		}
	}
}
