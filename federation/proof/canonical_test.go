package proof

import (
	"testing"
)

// members.join must write exactly what the JCS library writes for the
// whole object: names sorted by UTF-16 code units and escaped like JCS.
func TestJoinMatchesCanonicalize(t *testing.T) {
	for _, doc := range []string{
		`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew","1":"One","\ud83d\ude00":"Emoji","\u0080":"Control","\u00f6":"o"}`,
		`{"a\"b":1,"a\\b":2,"\u0000":3,"\u001f":4,"\b\t\n\f\r":5,"\u007f":6,"\u2028":7,"</script>":8}`,
		`{"nested":{"z":[1.50,{"b":true,"a":null}],"a":"x"},"":0}`,
		`{}`,
	} {
		fuzzJoin(t, []byte(doc))
	}
}

// FuzzJoin checks members.join against the JCS library on any object.
func FuzzJoin(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":[2,{"d":3,"c":"\u00e9"}]}`))
	f.Add([]byte(statement))
	f.Fuzz(fuzzJoin)
}

func fuzzJoin(t *testing.T, doc []byte) {
	m, err := canonicalMembers(doc)
	if err != nil {
		return
	}
	want, err := Canonicalize(doc)
	if err != nil {
		t.Fatalf("canonicalMembers accepted what Canonicalize refuses: %v", err)
	}
	if got := m.join(); string(got) != string(want) {
		t.Fatalf("join\n got %s\nwant %s", got, want)
	}
}
