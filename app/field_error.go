package app

import "errors"

// FieldError says which field of a form or request an error is about, so
// that a page can show the message next to that field. Its code and safe
// message are those of the wrapped error.
type FieldError struct {
	Field string
	Err   error
}

// Error implements error.
func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

// Unwrap returns the error about the field.
func (e *FieldError) Unwrap() error { return e.Err }

// InField wraps err as being about field; nil stays nil.
func InField(field string, err error) error {
	if err == nil {
		return nil
	}
	return &FieldError{Field: field, Err: err}
}

// FieldOf is the field err is about, or "" when it names none.
func FieldOf(err error) string {
	var f *FieldError
	if errors.As(err, &f) {
		return f.Field
	}
	return ""
}
