package as2

import "errors"

// Errors that the Parse functions wrap; test for them with errors.Is.
var (
	// ErrMalformed means the input is not valid JSON.
	ErrMalformed = errors.New("as2: malformed JSON")
	// ErrNotObject means the JSON is valid but not an object.
	ErrNotObject = errors.New("as2: document is not a JSON object")
	// ErrTooDeep means the document nests deeper than MaxDepth.
	ErrTooDeep = errors.New("as2: document nested too deeply")
	// ErrMissingID means the document has no usable "id".
	ErrMissingID = errors.New("as2: missing id")
	// ErrMissingType means the document has no usable "type".
	ErrMissingType = errors.New("as2: missing type")
	// ErrUnexpectedType means the type does not fit what was asked for,
	// for example ParseActor on a Note.
	ErrUnexpectedType = errors.New("as2: unexpected type")
	// ErrNotEmbedded means an activity's object is only a reference (an id),
	// so there is nothing to parse without fetching it.
	ErrNotEmbedded = errors.New("as2: object is not embedded")
)
