package as2

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// MaxDepth is the deepest nesting of objects and arrays a document may have.
// Real documents stay under ten levels; the limit keeps hostile input from
// costing more than its size.
const MaxDepth = 32

// fields is a document's top-level properties, each still raw JSON so that
// only the properties a caller reads are decoded.
type fields map[string]json.RawMessage

// decodeFields checks data's shape and nesting without recursing, then splits
// the top-level object into its properties.
func decodeFields(data []byte) (fields, error) {
	first, err := checkDepth(data)
	if err != nil {
		return nil, err
	}
	if first != '{' {
		if !json.Valid(data) {
			return nil, ErrMalformed
		}
		return nil, ErrNotObject
	}
	var f fields
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return f, nil
}

// checkDepth scans data once, counting brackets outside strings, and returns
// the first non-space byte. It validates nothing else: json.Unmarshal does.
func checkDepth(data []byte) (byte, error) {
	var first byte
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		if first == 0 && !isSpace(c) {
			first = c
		}
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxDepth {
				return first, fmt.Errorf("%w: more than %d levels", ErrTooDeep, MaxDepth)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	if first == 0 {
		return 0, fmt.Errorf("%w: empty document", ErrMalformed)
	}
	return first, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// decodeValue turns raw JSON into string, json.Number, bool, nil,
// []any or map[string]any. Invalid JSON decodes to nil.
func decodeValue(raw json.RawMessage) any {
	switch {
	case len(raw) == 0:
		return nil
	case raw[0] == '"':
		// Most properties are strings: skip the Decoder's allocations.
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil
		}
		return s
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil
	}
	return v
}

// value decodes the property key.
func (f fields) value(key string) any { return decodeValue(f[key]) }

// str returns the property key as a string (see StringOf).
func (f fields) str(key string) string { return StringOf(f.value(key)) }

// text returns key, or its natural-language map keyMap (see TextOf).
func (f fields) text(key string) string {
	if s := f.str(key); s != "" {
		return s
	}
	return langMapValue(f.value(key + "Map"))
}

// id returns the id of the property key (see IDOf).
func (f fields) id(key string) string { return IDOf(f.value(key)) }

// ids returns the ids of the property key (see IDsOf).
func (f fields) ids(key string) []string { return IDsOf(f.value(key)) }

// types returns the document's types (see TypesOf).
func (f fields) types() []string {
	if t := TypesOf(f.value("type")); len(t) > 0 {
		return t
	}
	return TypesOf(f.value("@type"))
}

// docID returns the document's own id, from "id" or "@id".
func (f fields) docID() string {
	if s := StringOf(f.value("id")); s != "" {
		return s
	}
	return StringOf(f.value("@id"))
}
