package as2

import (
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// StringOf returns v as a string: a string as itself, a number in its JSON
// form, a JSON-LD value object by its "@value", and an array by its first
// element that yields a string. Anything else gives "".
func StringOf(v any) string { return stringOf(v, 0) }

func stringOf(v any, depth int) string {
	if depth > MaxDepth {
		return ""
	}
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case map[string]any:
		return stringOf(x["@value"], depth+1)
	case []any:
		for _, e := range x {
			if s := stringOf(e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// IDOf returns the id a property refers to: a string is the id itself, an
// object gives its "id" (or "@id", or a Link's "href"), and an array gives
// the id of its first element that has one.
func IDOf(v any) string {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		for _, key := range []string{"id", "@id", "href"} {
			if s, ok := x[key].(string); ok && strings.TrimSpace(s) != "" {
				return strings.TrimSpace(s)
			}
		}
	case []any:
		for _, e := range x {
			if _, nested := e.([]any); nested {
				continue
			}
			if s := IDOf(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// IDsOf returns every id a property refers to, in order, skipping elements
// without one. A single string or object gives one id.
func IDsOf(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var ids []string
	for _, e := range list {
		if _, nested := e.([]any); nested {
			continue
		}
		if s := IDOf(e); s != "" {
			ids = append(ids, s)
		}
	}
	return ids
}

// asNamespace is the prefix of expanded ActivityStreams type IRIs.
const asNamespace = "https://www.w3.org/ns/activitystreams#"

// TypesOf returns the types in v, which may be a "type" value (a string or
// an array of strings) or a whole object, whose "type" (or "@type") is read.
// Prefixed forms ("as:Note", the full ActivityStreams IRI) are shortened to
// the bare term ("Note"); other extension types are kept as they are.
func TypesOf(v any) []string {
	if m, ok := v.(map[string]any); ok {
		if t := TypesOf(m["type"]); len(t) > 0 {
			return t
		}
		return TypesOf(m["@type"])
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var types []string
	for _, e := range list {
		s, _ := e.(string)
		s = strings.TrimSpace(s)
		s = strings.TrimPrefix(s, "as:")
		s = strings.TrimPrefix(s, asNamespace)
		if s != "" {
			types = append(types, s)
		}
	}
	return types
}

// HasType reports whether v (see TypesOf) has type t.
func HasType(v any, t string) bool {
	for _, x := range TypesOf(v) {
		if x == t {
			return true
		}
	}
	return false
}

// BoolOf returns v as a boolean: true, or the strings "true" and "1".
// Anything else, including a missing value, is false.
func BoolOf(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true" || x == "1"
	case []any:
		if len(x) == 0 {
			return false
		}
		if _, nested := x[0].([]any); nested {
			return false
		}
		return BoolOf(x[0])
	}
	return false
}

// TimeOf parses an xsd:dateTime as servers write it (RFC 3339 with or
// without fractional seconds, or without a zone, taken as UTC). A missing or
// unreadable time is the zero time: timestamps are never worth refusing a
// document over.
func TimeOf(v any) time.Time {
	s := strings.TrimSpace(StringOf(v))
	if s == "" {
		return time.Time{}
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// TextOf returns the natural-language property key of doc ("content",
// "name", "summary"): the plain property if it is set, else a value from its
// map form (keyMap, e.g. "contentMap"). From a map with several languages it
// takes "en", then "und", then the lowest language tag, so the choice is
// stable.
func TextOf(doc map[string]any, key string) string {
	if s := StringOf(doc[key]); s != "" {
		return s
	}
	return langMapValue(doc[key+"Map"])
}

func langMapValue(v any) string {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return ""
	}
	for _, lang := range []string{"en", "und"} {
		if s := StringOf(m[lang]); s != "" {
			return s
		}
	}
	for _, lang := range sortedKeys(m) {
		if s := StringOf(m[lang]); s != "" {
			return s
		}
	}
	return ""
}

// URLOf returns the address a "url" property points a person to: a string
// as itself, a Link by its "href", an object such as an Image by its own
// "url", and from an array the first text/html link, else the first element
// with an address.
func URLOf(v any) string { return urlOf(v, 0) }

func urlOf(v any, depth int) string {
	if depth > MaxDepth {
		return ""
	}
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x)
	case map[string]any:
		if s := StringOf(x["href"]); s != "" {
			return strings.TrimSpace(s)
		}
		return urlOf(x["url"], depth+1)
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && isHTML(m["mediaType"]) {
				if s := urlOf(m, depth+1); s != "" {
					return s
				}
			}
		}
		for _, e := range x {
			if s := urlOf(e, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// isHTML reports whether a mediaType value names an HTML page.
func isHTML(v any) bool {
	mt := strings.ToLower(strings.TrimSpace(StringOf(v)))
	return mt == "text/html" || strings.HasPrefix(mt, "text/html;")
}

// sortedKeys returns m's keys in ascending order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
