package as2_test

import (
	"errors"
	"testing"

	"github.com/plaudit/plaudit/federation/as2"
)

// TestReadFlattrTerms: the terms are found under whatever names the
// document's context gives them; a Like without a weight is a plain Like;
// wrong values are errors.
func TestReadFlattrTerms(t *testing.T) {
	const like = `"id":"https://a.example/l/1","type":"Like","actor":"https://a.example/u/c","object":"https://b.example/n/1"`
	tests := []struct {
		name string
		doc  string
		want as2.FlattrTerms
		ok   bool
		bad  bool
	}{
		{"plaudit's own context", `{"@context":["https://www.w3.org/ns/activitystreams",{"plaudit":"https://w3id.org/plaudit#","weight":{"@id":"plaudit:weight"},"month":"plaudit:month","anonymous":"plaudit:anonymous"}],` + like + `,"weight":3,"month":"2026-12","anonymous":true}`,
			as2.FlattrTerms{Weight: 3, Month: "2026-12", Anonymous: true}, true, false},
		{"other names, compact IRIs", `{"@context":["https://www.w3.org/ns/activitystreams",{"pl":"https://w3id.org/plaudit#"}],` + like + `,"pl:weight":"7","pl:month":{"@value":"2026-01"}}`,
			as2.FlattrTerms{Weight: 7, Month: "2026-01"}, true, false},
		{"full IRIs", `{"@context":"https://www.w3.org/ns/activitystreams",` + like + `,"https://w3id.org/plaudit#weight":{"@value":10}}`,
			as2.FlattrTerms{Weight: 10}, true, false},
		{"a Mastodon favourite", `{"@context":"https://www.w3.org/ns/activitystreams",` + like + `}`, as2.FlattrTerms{}, false, false},
		{"weight without the context is someone else's term", `{"@context":"https://www.w3.org/ns/activitystreams",` + like + `,"weight":3}`, as2.FlattrTerms{}, false, false},
		{"weight 0", `{"@context":{"weight":"https://w3id.org/plaudit#weight"},` + like + `,"weight":0}`, as2.FlattrTerms{}, true, true},
		{"weight 11", `{"@context":{"weight":"https://w3id.org/plaudit#weight"},` + like + `,"weight":11}`, as2.FlattrTerms{}, true, true},
		{"fractional weight", `{"@context":{"weight":"https://w3id.org/plaudit#weight"},` + like + `,"weight":2.5}`, as2.FlattrTerms{}, true, true},
		{"bad month", `{"@context":{"p":"https://w3id.org/plaudit#"},` + like + `,"p:weight":2,"p:month":"2026-13"}`, as2.FlattrTerms{}, true, true},
		{"cyclic context", `{"@context":{"a":"b","b":"a","weight":"a"},` + like + `,"weight":2}`, as2.FlattrTerms{}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act, err := as2.ParseActivity([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			got, ok, err := act.FlattrTerms()
			if tt.bad {
				if !errors.Is(err, as2.ErrBadFlattrTerms) || !ok {
					t.Fatalf("terms = %+v, %v, %v; want a bad-terms error", got, ok, err)
				}
				return
			}
			if err != nil || ok != tt.ok || got != tt.want {
				t.Fatalf("terms = %+v, %v, %v; want %+v, %v", got, ok, err, tt.want, tt.ok)
			}
		})
	}
}

// TestEmbeddedFlattrTerms: the Like inside an Update is read with the
// Update's context.
func TestEmbeddedFlattrTerms(t *testing.T) {
	doc := as2.NewActivity("https://a.example/u/1", "Update", "https://a.example/u/c",
		as2.Document{"id": "https://a.example/l/1", "type": "Like", "actor": "https://a.example/u/c", "object": "https://b.example/n/1", "weight": 4, "month": "2026-12"}).
		AddContext(as2.FlattrContext())
	body, err := doc.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	act, err := as2.ParseActivity(body)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, err := act.EmbeddedFlattrTerms()
	if err != nil || !ok || got != (as2.FlattrTerms{Weight: 4, Month: "2026-12"}) {
		t.Fatalf("terms = %+v, %v, %v", got, ok, err)
	}
}

// FuzzReadFlattrTerms: any document gives terms in range, a plain Like or
// an error; never a panic.
func FuzzReadFlattrTerms(f *testing.F) {
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/activitystreams",{"plaudit":"https://w3id.org/plaudit#","weight":"plaudit:weight"}],"type":"Like","weight":3,"month":"2026-12"}`))
	f.Add([]byte(`{"@context":{"a":"b","b":"a"},"a":1}`))
	f.Add([]byte(`{"https://w3id.org/plaudit#weight":{"@value":"5"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok, err := as2.ReadFlattrTerms(data, data)
		if err == nil && ok && (got.Weight < 1 || got.Weight > 10) {
			t.Fatalf("weight %d accepted", got.Weight)
		}
	})
}

// TestLikeNeedsApproval: GoToSocial's interaction policies, in their old
// and new names.
func TestLikeNeedsApproval(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"type":"Note"}`: false,
		`{"type":"Note","interactionPolicy":{"canLike":{"automaticApproval":["https://www.w3.org/ns/activitystreams#Public"]}}}`:                    false,
		`{"type":"Note","interactionPolicy":{"canLike":{"always":"as:Public","approvalRequired":[]}}}`:                                              false,
		`{"type":"Note","interactionPolicy":{"canLike":{"automaticApproval":["https://g.example/users/a/followers"],"manualApproval":["Public"]}}}`: true,
		`{"type":"Note","interactionPolicy":{"canLike":{"always":[],"approvalRequired":["https://www.w3.org/ns/activitystreams#Public"]}}}`:         true,
		`{"type":"Note","interactionPolicy":{"canReply":{}}}`:                                                                                       false,
	} {
		if got := as2.LikeNeedsApproval([]byte(doc)); got != want {
			t.Errorf("LikeNeedsApproval(%s) = %v, want %v", doc, got, want)
		}
	}
}
