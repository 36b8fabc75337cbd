package as2

import "strings"

// Attachment is one entry of an "attachment" property: a profile field
// (PropertyValue), a FEP-0ea0 payment link (a Link with rel "payment"), or
// media on a post (Document, Image, Video…).
type Attachment struct {
	Type      string
	Name      string
	Value     string   // PropertyValue's value (HTML)
	Href      string   // a Link's target
	Rel       []string // a Link's relations
	MediaType string
	URL       string // media address (see URLOf)
}

// IsPaymentLink reports whether a is a FEP-0ea0 payment link: a Link whose
// rel is, or contains, "payment".
func (a Attachment) IsPaymentLink() bool {
	if a.Type != "Link" || a.Href == "" {
		return false
	}
	for _, r := range a.Rel {
		if strings.EqualFold(r, "payment") {
			return true
		}
	}
	return false
}

// Document returns a as an outgoing JSON object, omitting empty fields;
// a single rel is written as a string.
func (a Attachment) Document() Document {
	d := Document{"type": a.Type}
	setIf(d, "name", a.Name)
	setIf(d, "value", a.Value)
	setIf(d, "href", a.Href)
	setIf(d, "mediaType", a.MediaType)
	setIf(d, "url", a.URL)
	switch len(a.Rel) {
	case 0:
	case 1:
		d["rel"] = a.Rel[0]
	default:
		d["rel"] = a.Rel
	}
	return d
}

// PaymentLink returns a FEP-0ea0 payment link to href, described by name.
func PaymentLink(name, href string) Attachment {
	return Attachment{Type: "Link", Name: name, Href: href, Rel: []string{"payment"}}
}

// PropertyValue returns a profile field as Mastodon shows it.
func PropertyValue(name, value string) Attachment {
	return Attachment{Type: "PropertyValue", Name: name, Value: value}
}

// Tag is one entry of a "tag" property: a Mention, a Hashtag or an Emoji.
type Tag struct {
	Type string
	ID   string // an Emoji's id
	Name string // "@user@host", "#tag" or ":emoji:"
	Href string // the mentioned actor or the tag's page
	Icon string // an Emoji's image (see URLOf)
}

// attachmentsOf reads an "attachment" value. Besides a single object or an
// array it accepts an object of objects keyed by name, which old versions of
// the WordPress plugin sent (a PHP associative array).
func attachmentsOf(v any) []Attachment {
	var out []Attachment
	for _, m := range objectsOf(v) {
		out = append(out, Attachment{
			Type:      first(TypesOf(m)),
			Name:      TextOf(m, "name"),
			Value:     StringOf(m["value"]),
			Href:      strings.TrimSpace(StringOf(m["href"])),
			Rel:       stringsOf(m["rel"]),
			MediaType: StringOf(m["mediaType"]),
			URL:       URLOf(m["url"]),
		})
	}
	return out
}

// tagsOf reads a "tag" value.
func tagsOf(v any) []Tag {
	var out []Tag
	for _, m := range objectsOf(v) {
		out = append(out, Tag{
			Type: first(TypesOf(m)),
			ID:   StringOf(m["id"]),
			Name: TextOf(m, "name"),
			Href: strings.TrimSpace(StringOf(m["href"])),
			Icon: URLOf(m["icon"]),
		})
	}
	return out
}

// objectsOf returns the objects in v: v itself if it is a typed object, the
// objects of an array, or the values of an untyped object of objects.
func objectsOf(v any) []map[string]any {
	var out []map[string]any
	switch x := v.(type) {
	case map[string]any:
		if _, typed := x["type"]; typed {
			return []map[string]any{x}
		}
		for _, key := range sortedKeys(x) {
			if m, ok := x[key].(map[string]any); ok {
				out = append(out, m)
			}
		}
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// stringsOf returns the strings in a string-or-array value.
func stringsOf(v any) []string {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok && s != "" {
			out = append(out, s)
		}
	}
	return out
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func setIf(d Document, key, value string) {
	if value != "" {
		d[key] = value
	}
}
