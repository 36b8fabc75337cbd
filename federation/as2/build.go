package as2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Context IRIs used in outgoing documents.
const (
	ActivityStreamsContext = "https://www.w3.org/ns/activitystreams"
	SecurityContext        = "https://w3id.org/security/v1"
	// TootNamespace is Mastodon's extension namespace ("toot:").
	TootNamespace = "http://joinmastodon.org/ns#"
	// SchemaNamespace is schema.org as Mastodon writes it, for PropertyValue.
	SchemaNamespace = "http://schema.org#"
)

// Document is an outgoing JSON-LD document: a plain map, so fields can be
// added with With before marshaling. Build one with NewActivity or
// ActorDocument.
type Document map[string]any

// NewActivity returns an activity document with the ActivityStreams context.
// object may be an id string, another Document (its "@context" is dropped:
// embedded objects share the outer one), or any value that marshals to JSON.
//
//	NewActivity(id, "Like", actorID, noteID)
//	NewActivity(id+"/undo", "Undo", actorID, like)
func NewActivity(id, typ, actor string, object any) Document {
	d := Document{
		"@context": ActivityStreamsContext,
		"id":       id,
		"type":     typ,
		"actor":    actor,
	}
	if object != nil {
		d["object"] = embed(object)
	}
	return d
}

// embed strips "@context" from an embedded document without changing it.
func embed(v any) any {
	var m map[string]any
	switch x := v.(type) {
	case Document:
		m = x
	case map[string]any:
		m = x
	default:
		return v
	}
	if _, ok := m["@context"]; !ok {
		return v
	}
	out := make(Document, len(m))
	for k, val := range m {
		if k != "@context" {
			out[k] = val
		}
	}
	return out
}

// With sets key to v and returns d, for chaining:
//
//	NewActivity(...).With("to", []string{PublicCollection})
func (d Document) With(key string, v any) Document {
	d[key] = v
	return d
}

// ID returns the document's "id", or "".
func (d Document) ID() string { return StringOf(d["id"]) }

// AddContext adds JSON-LD term definitions to the document's "@context",
// turning a lone IRI into an array and merging terms into its trailing
// object, so callers can define extension properties:
//
//	doc.AddContext(map[string]any{"ex": "https://ex.example/ns#", "weight": "ex:weight"})
func (d Document) AddContext(terms map[string]any) Document {
	if len(terms) == 0 {
		return d
	}
	var list []any
	switch c := d["@context"].(type) {
	case nil:
		list = []any{ActivityStreamsContext}
	case []any:
		list = append([]any(nil), c...)
	default:
		list = []any{c}
	}
	ext := map[string]any{}
	if last, ok := list[len(list)-1].(map[string]any); ok {
		for k, v := range last {
			ext[k] = v
		}
		list = list[:len(list)-1]
	}
	for k, v := range terms {
		ext[k] = v
	}
	d["@context"] = append(list, ext)
	return d
}

// Marshal returns the document as compact JSON without HTML escaping, so
// content like "<p>" stays readable.
func (d Document) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any(d)); err != nil {
		return nil, fmt.Errorf("marshal %s: %w", d.ID(), err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ActorSpec describes a local actor for ActorDocument. Empty fields are left
// out of the document.
type ActorSpec struct {
	ID                        string
	Type                      string // Person if empty
	PreferredUsername         string
	Name                      string
	Summary                   string // HTML
	URL                       string
	Inbox                     string
	Outbox                    string
	Followers                 string
	Following                 string
	SharedInbox               string
	PublicKeyID               string // usually ID + "#main-key"
	PublicKeyPEM              string
	IconURL                   string
	IconMediaType             string
	ManuallyApprovesFollowers bool
	Discoverable              bool
	AlsoKnownAs               []string
	Attachments               []Attachment // profile fields, payment links
	Published                 time.Time
	// AssertionMethods are the actor's FEP-521a keys for integrity
	// proofs; with any, the document also names the Data Integrity and
	// Multikey contexts.
	AssertionMethods []Multikey
}

// actorContextTerms are the extension terms every actor document defines:
// what Mastodon reads from an actor beyond ActivityStreams and security v1.
func actorContextTerms() map[string]any {
	return map[string]any{
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"toot":                      TootNamespace,
		"discoverable":              "toot:discoverable",
		"alsoKnownAs":               map[string]any{"@id": "as:alsoKnownAs", "@type": "@id"},
		"schema":                    SchemaNamespace,
		"PropertyValue":             "schema:PropertyValue",
		"value":                     "schema:value",
	}
}

// ActorDocument returns the JSON-LD document for a local actor, with the
// context array Mastodon expects: ActivityStreams, security v1 and an object
// defining manuallyApprovesFollowers, discoverable, alsoKnownAs and
// PropertyValue (with AssertionMethods, the Data Integrity and Multikey
// contexts before that object). Add more terms with AddContext.
func ActorDocument(s ActorSpec) Document {
	typ := s.Type
	if typ == "" {
		typ = "Person"
	}
	context := []any{ActivityStreamsContext, SecurityContext}
	if len(s.AssertionMethods) > 0 {
		context = append(context, DataIntegrityContext, MultikeyContext)
	}
	d := Document{
		"@context":                  append(context, actorContextTerms()),
		"id":                        s.ID,
		"type":                      typ,
		"manuallyApprovesFollowers": s.ManuallyApprovesFollowers,
		"discoverable":              s.Discoverable,
	}
	for key, v := range map[string]string{
		"preferredUsername": s.PreferredUsername, "name": s.Name, "summary": s.Summary,
		"url": s.URL, "inbox": s.Inbox, "outbox": s.Outbox,
		"followers": s.Followers, "following": s.Following,
	} {
		setIf(d, key, v)
	}
	if s.SharedInbox != "" {
		d["endpoints"] = map[string]any{"sharedInbox": s.SharedInbox}
	}
	if s.PublicKeyPEM != "" {
		d["publicKey"] = map[string]any{"id": s.PublicKeyID, "owner": s.ID, "publicKeyPem": s.PublicKeyPEM}
	}
	if len(s.AssertionMethods) > 0 {
		list := make([]any, len(s.AssertionMethods))
		for i, k := range s.AssertionMethods {
			list[i] = k.Document()
		}
		d["assertionMethod"] = list
	}
	if s.IconURL != "" {
		icon := Document{"type": "Image", "url": s.IconURL}
		setIf(icon, "mediaType", s.IconMediaType)
		d["icon"] = icon
	}
	if len(s.AlsoKnownAs) > 0 {
		d["alsoKnownAs"] = s.AlsoKnownAs
	}
	if len(s.Attachments) > 0 {
		list := make([]any, len(s.Attachments))
		for i, a := range s.Attachments {
			list[i] = a.Document()
		}
		d["attachment"] = list
	}
	if !s.Published.IsZero() {
		d["published"] = s.Published.UTC().Format(time.RFC3339)
	}
	return d
}
