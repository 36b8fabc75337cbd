package outbox

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"
)

// idEncoding writes random ids in lower-case base32: URL-safe, no padding.
var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// newID returns a random id of 128 bits (26 characters).
func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return strings.ToLower(idEncoding.EncodeToString(b))
}

// timeFormat is how published times are written.
const timeFormat = time.RFC3339

// newActivityID returns the id of a new local activity.
func (p *Publisher) newActivityID() string { return p.deps.URLs.Activity(newID()) }
