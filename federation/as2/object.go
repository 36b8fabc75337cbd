package as2

import (
	"encoding/json"
	"fmt"
	"time"
)

// Object is a content object: Note, Article, Page, Image, Video, Question
// and the like. Any type is accepted; check Type if it matters.
type Object struct {
	ID      string
	Type    string   // first type
	Types   []string // all types
	Name    string
	Summary string // content warning on Notes, excerpt on Articles
	Content string // HTML (or another mediaType: PeerTube sends Markdown)
	// AttributedTo is the first actor the object is attributed to; for a
	// PeerTube video that is the account, followed by its channel in
	// AttributedToAll.
	AttributedTo    string
	AttributedToAll []string
	URL             string // page for people (see URLOf)
	Published       time.Time
	Updated         time.Time
	To              []string
	Cc              []string
	InReplyTo       string
	Sensitive       bool
	Attachments     []Attachment
	Tags            []Tag
	Raw             json.RawMessage // the document as received
}

// Public reports whether the object is addressed to the public collection.
func (o *Object) Public() bool { return AnyPublic(o.To, o.Cc) }

// ParseObject parses a standalone object document; it needs an id and a
// type.
func ParseObject(data []byte) (*Object, error) {
	o, err := parseObject(data, true)
	if err != nil {
		return nil, fmt.Errorf("parse object: %w", err)
	}
	return o, nil
}

func parseObject(data []byte, needID bool) (*Object, error) {
	f, err := decodeFields(data)
	if err != nil {
		return nil, err
	}
	o := &Object{ID: IDOf(f.docID()), Types: f.types(), Raw: cloneBytes(data)}
	if len(o.Types) == 0 {
		return nil, ErrMissingType
	}
	if needID && o.ID == "" {
		return nil, ErrMissingID
	}
	o.Type = o.Types[0]
	o.Name = f.text("name")
	o.Summary = f.text("summary")
	o.Content = f.text("content")
	o.AttributedToAll = f.ids("attributedTo")
	o.AttributedTo = first(o.AttributedToAll)
	o.URL = URLOf(f.value("url"))
	o.Published = TimeOf(f.value("published"))
	o.Updated = TimeOf(f.value("updated"))
	o.To = f.ids("to")
	o.Cc = f.ids("cc")
	o.InReplyTo = f.id("inReplyTo")
	o.Sensitive = BoolOf(f.value("sensitive"))
	o.Attachments = attachmentsOf(f.value("attachment"))
	o.Tags = tagsOf(f.value("tag"))
	return o, nil
}

func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
