package proof

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"unicode/utf16"
)

// members is a JSON object taken apart: each member's value in canonical
// (JCS) form. Removing or replacing a member and joining the rest gives
// the canonical form of the changed object without canonicalizing the
// whole document again: a statement of 100,000 lines is parsed once.
type members map[string]json.RawMessage

// canonicalMembers canonicalizes doc, which must be a JSON object, and
// splits it into its members.
func canonicalMembers(doc []byte) (members, error) {
	c, err := Canonicalize(doc)
	if err != nil {
		return nil, err
	}
	var m members
	if err := json.Unmarshal(c, &m); err != nil {
		return nil, errors.New("not a JSON object")
	}
	if m == nil {
		return nil, errors.New("not a JSON object")
	}
	return m, nil
}

// join returns the canonical form of the object: members sorted by the
// UTF-16 code units of their names (RFC 8785 section 3.2.3), names written
// as JCS strings, values as they are.
func (m members) join() []byte {
	keys := slices.SortedFunc(maps.Keys(m), compareUTF16)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(&b, k)
		b.WriteByte(':')
		b.Write(m[k])
	}
	b.WriteByte('}')
	return b.Bytes()
}

// value decodes one member (nil when absent), numbers kept as written.
func (m members) value(key string) (any, error) {
	raw, ok := m[key]
	if !ok {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	return v, nil
}

func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// writeString writes s as RFC 8785 serializes strings (ECMAScript's
// JSON.stringify): only '"', '\' and control characters escaped, the short
// forms where JSON has them, everything else as UTF-8.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// canonicalValue returns v, a decoded JSON value, in canonical form.
func canonicalValue(v any) (json.RawMessage, error) {
	data, err := marshal(v)
	if err != nil {
		return nil, err
	}
	return Canonicalize(data)
}
