package as2

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Activity is an activity as delivered to an inbox.
type Activity struct {
	ID    string
	Type  string   // first type
	Types []string // all types
	Actor string   // id of the actor, even when the actor is embedded
	// Object is the "object" property exactly as received: an id string,
	// an embedded object, or null/absent. Use ObjectID, ParsedObject,
	// ParsedActivity or ParsedActor to read it.
	Object    json.RawMessage
	Target    string // id of the target, if any
	To        []string
	Cc        []string
	Published time.Time
	Updated   time.Time // when the activity was last changed (an Update of a flattr's Like sets it)
	// Content is the activity's own content. Misskey and Pleroma put the
	// reaction emoji of a Like here; Misskey's _misskey_reaction is used
	// when content is absent.
	Content string
	Raw     json.RawMessage // the document as received

	terms *readTerms // FlattrTerms' answer, once read
}

// Public reports whether the activity is addressed to the public collection.
func (a *Activity) Public() bool { return AnyPublic(a.To, a.Cc) }

// ObjectID returns the id of the activity's object, whether the object is
// a reference or embedded.
func (a *Activity) ObjectID() string { return IDOf(decodeValue(a.Object)) }

// ObjectEmbedded reports whether the object is embedded (a JSON object)
// rather than a reference.
func (a *Activity) ObjectEmbedded() bool {
	return bytes.HasPrefix(bytes.TrimLeft(a.Object, " \t\r\n"), []byte("{"))
}

// ObjectTypes returns the types of an embedded object, or nil.
func (a *Activity) ObjectTypes() []string {
	if !a.ObjectEmbedded() {
		return nil
	}
	return TypesOf(decodeValue(a.Object))
}

// ParsedObject parses an embedded object, such as the Note of a Create.
// Embedded objects need a type but, belonging to the activity, no id.
// It returns ErrNotEmbedded when the object is only a reference.
func (a *Activity) ParsedObject() (*Object, error) {
	if !a.ObjectEmbedded() {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, ErrNotEmbedded)
	}
	o, err := parseObject(a.Object, false)
	if err != nil {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, err)
	}
	return o, nil
}

// ParsedActivity parses an embedded activity, such as the Like inside an
// Undo or the Follow inside an Accept. Like ParsedObject it needs a type
// but not an id.
func (a *Activity) ParsedActivity() (*Activity, error) {
	if !a.ObjectEmbedded() {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, ErrNotEmbedded)
	}
	inner, err := parseActivity(a.Object, false)
	if err != nil {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, err)
	}
	return inner, nil
}

// ParsedActor parses an embedded actor, such as the Person of an Update.
func (a *Activity) ParsedActor() (*Actor, error) {
	if !a.ObjectEmbedded() {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, ErrNotEmbedded)
	}
	actor, err := ParseActor(a.Object)
	if err != nil {
		return nil, fmt.Errorf("object of %s %s: %w", a.Type, a.ID, err)
	}
	return actor, nil
}

// ParseActivity parses an activity document; it needs an id and a type.
func ParseActivity(data []byte) (*Activity, error) {
	a, err := parseActivity(data, true)
	if err != nil {
		return nil, fmt.Errorf("parse activity: %w", err)
	}
	return a, nil
}

func parseActivity(data []byte, needID bool) (*Activity, error) {
	f, err := decodeFields(data)
	if err != nil {
		return nil, err
	}
	a := &Activity{ID: IDOf(f.docID()), Types: f.types(), Raw: cloneBytes(data)}
	if len(a.Types) == 0 {
		return nil, ErrMissingType
	}
	if needID && a.ID == "" {
		return nil, ErrMissingID
	}
	a.Type = a.Types[0]
	a.Actor = f.id("actor")
	if obj := f["object"]; len(obj) > 0 && !bytes.Equal(obj, []byte("null")) {
		a.Object = obj
	}
	a.Target = f.id("target")
	a.To = f.ids("to")
	a.Cc = f.ids("cc")
	a.Published = TimeOf(f.value("published"))
	a.Updated = TimeOf(f.value("updated"))
	a.Content = f.text("content")
	if a.Content == "" {
		a.Content = f.str("_misskey_reaction")
	}
	return a, nil
}
