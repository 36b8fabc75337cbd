package as2

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PlauditNamespace is the IRI of Plaudit's JSON-LD terms, the same on every
// instance. Outgoing documents define the terms inline in their
// "@context" (FlattrContext), so no server needs to fetch anything.
const PlauditNamespace = "https://w3id.org/plaudit#"

const xsd = "http://www.w3.org/2001/XMLSchema#"

// FlattrContext is the term definitions a weighted Like carries in its
// "@context" after the ActivityStreams IRI.
func FlattrContext() map[string]any {
	return map[string]any{
		"plaudit":   PlauditNamespace,
		"weight":    map[string]any{"@id": "plaudit:weight", "@type": xsd + "integer"},
		"month":     map[string]any{"@id": "plaudit:month", "@type": xsd + "gYearMonth"},
		"anonymous": map[string]any{"@id": "plaudit:anonymous", "@type": xsd + "boolean"},
	}
}

// FlattrTerms are Plaudit's terms on a Like: the weight (1–10) that makes
// it a flattr, the month (YYYY-MM, UTC) it counts in, and whether it
// stands for an anonymous funder.
type FlattrTerms struct {
	Weight    int
	Month     string // "" when the Like names none
	Anonymous bool
}

// ErrBadFlattrTerms is wrapped by the errors of terms that are present but
// wrong: a weight that is no integer from 1 to 10, a month not YYYY-MM.
var ErrBadFlattrTerms = errors.New("bad flattr terms")

var monthPattern = regexp.MustCompile(`^[0-9]{4}-(0[1-9]|1[0-2])$`)

// FlattrTerms reads Plaudit's terms from the activity, with the names its
// own "@context" gives them. ok is false for a Like without a weight (an
// ordinary favourite). The answer is read once and kept: an Activity is
// not to be read from several goroutines at once.
func (a *Activity) FlattrTerms() (FlattrTerms, bool, error) {
	if a.terms == nil {
		t, ok, err := ReadFlattrTerms(a.Raw, a.Raw)
		a.terms = &readTerms{t, ok, err}
	}
	return a.terms.terms, a.terms.ok, a.terms.err
}

// readTerms is what FlattrTerms read.
type readTerms struct {
	terms FlattrTerms
	ok    bool
	err   error
}

// EmbeddedFlattrTerms reads Plaudit's terms from the activity's embedded
// object (the Like of an Update or Undo), with the names the outer
// document's "@context" gives them.
func (a *Activity) EmbeddedFlattrTerms() (FlattrTerms, bool, error) {
	if !a.ObjectEmbedded() {
		return FlattrTerms{}, false, nil
	}
	return ReadFlattrTerms(a.Raw, a.Object)
}

// ReadFlattrTerms reads Plaudit's terms from the JSON object doc, naming
// them as the "@context" of contextDoc (doc's own, or that of the document
// doc is embedded in) and of doc defines them: any term or compact IRI
// that expands to PlauditNamespace + "weight" (or "month", "anonymous"),
// or the full IRI itself.
func ReadFlattrTerms(contextDoc, doc json.RawMessage) (FlattrTerms, bool, error) {
	// Every way of naming the terms spells the namespace out somewhere: a
	// Like that never does (Mastodon's) is read no further.
	ns := []byte("w3id.org/plaudit#")
	if !bytes.Contains(doc, ns) && !bytes.Contains(contextDoc, ns) {
		return FlattrTerms{}, false, nil
	}
	f, err := decodeFields(doc)
	if err != nil {
		return FlattrTerms{}, false, err
	}
	terms := termMap{}
	if contextDoc != nil && !bytes.Equal(contextDoc, doc) {
		if outer, err := decodeFields(contextDoc); err == nil {
			terms.add(decodeValue(outer["@context"]))
		}
	}
	terms.add(decodeValue(f["@context"]))
	keys := terms.keysFor(f)
	raw, ok := f[keys["weight"]]
	if !ok {
		return FlattrTerms{}, false, nil
	}
	var t FlattrTerms
	if t.Weight, err = integerValue(decodeValue(raw)); err != nil {
		return t, true, fmt.Errorf("%w: weight: %w", ErrBadFlattrTerms, err)
	}
	if t.Weight < 1 || t.Weight > 10 {
		return t, true, fmt.Errorf("%w: weight %d is not from 1 to 10", ErrBadFlattrTerms, t.Weight)
	}
	if raw, ok := f[keys["month"]]; ok {
		t.Month = StringOf(literal(decodeValue(raw)))
		if !monthPattern.MatchString(t.Month) {
			return t, true, fmt.Errorf("%w: month %q is not YYYY-MM", ErrBadFlattrTerms, t.Month)
		}
	}
	if raw, ok := f[keys["anonymous"]]; ok {
		b, isBool := literal(decodeValue(raw)).(bool)
		if !isBool {
			return t, true, fmt.Errorf("%w: anonymous is not true or false", ErrBadFlattrTerms)
		}
		t.Anonymous = b
	}
	return t, true, nil
}

// ReadFlattrTermsDefault reads Plaudit's terms from doc as ReadFlattrTerms
// does, and also under their plain names (weight, month, anonymous) when
// doc's context does not define those: for a client posting to its own
// server's outbox.
func ReadFlattrTermsDefault(doc json.RawMessage) (FlattrTerms, bool, error) {
	seed, err := json.Marshal(map[string]any{"@context": FlattrContext()})
	if err != nil {
		return FlattrTerms{}, false, err
	}
	return ReadFlattrTerms(seed, doc)
}

// termMap maps the terms a "@context" defines to the IRIs they stand for.
type termMap map[string]string

// add reads the term definitions of a "@context" value: an IRI (ignored:
// remote contexts are never fetched), an object, or a list of both.
func (m termMap) add(ctx any) {
	switch c := ctx.(type) {
	case []any:
		for _, v := range c {
			m.add(v)
		}
	case map[string]any:
		for term, def := range c {
			switch d := def.(type) {
			case string:
				m[term] = d
			case map[string]any:
				if id, ok := d["@id"].(string); ok {
					m[term] = id
				}
			}
		}
	}
}

// expand turns a term or compact IRI into an IRI. Definitions that refer
// to each other are followed a few levels deep, no more (a hostile context
// may define a cycle).
func (m termMap) expand(key string) string {
	for range 4 {
		if iri, ok := m[key]; ok && iri != key {
			key = iri // a term: its definition may be a compact IRI
			continue
		}
		break
	}
	if prefix, suffix, ok := strings.Cut(key, ":"); ok && !strings.HasPrefix(suffix, "//") {
		if ns, ok := m[prefix]; ok && strings.Contains(ns, "://") {
			return ns + suffix
		}
	}
	return key
}

// keysFor finds, among doc's properties, the one that stands for each of
// Plaudit's terms.
func (m termMap) keysFor(f fields) map[string]string {
	keys := map[string]string{}
	for k := range f {
		iri := m.expand(k)
		if name, ok := strings.CutPrefix(iri, PlauditNamespace); ok {
			keys[name] = k
		}
	}
	return keys
}

// literal unwraps a JSON-LD value object ({"@value": …}).
func literal(v any) any {
	if m, ok := v.(map[string]any); ok {
		if inner, ok := m["@value"]; ok {
			return inner
		}
	}
	return v
}

// integerValue reads an integer written as a JSON number, a string of
// digits, or a value object holding either.
func integerValue(v any) (int, error) {
	switch x := literal(v).(type) {
	case json.Number:
		n, err := strconv.Atoi(x.String())
		if err != nil {
			return 0, fmt.Errorf("%s is not an integer", x)
		}
		return n, nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		if err != nil {
			return 0, fmt.Errorf("%q is not an integer", x)
		}
		return n, nil
	}
	return 0, errors.New("not a number")
}
