package proof

import (
	"fmt"

	"github.com/gowebpki/jcs"
)

// Canonicalize returns the RFC 8785 (JCS) form of the JSON text data:
// object members sorted by their UTF-16 code units, no whitespace,
// numbers as ECMAScript writes them, strings with minimal escapes. It
// refuses duplicate object keys and invalid UTF-8.
func Canonicalize(data []byte) ([]byte, error) {
	out, err := jcs.Transform(data)
	if err != nil {
		return nil, fmt.Errorf("canonicalize: %w", err)
	}
	return out, nil
}
