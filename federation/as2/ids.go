package as2

import (
	"strings"

	"github.com/plaudit/plaudit/app"
)

// PublicCollection is the special collection that addresses everyone.
const PublicCollection = "https://www.w3.org/ns/activitystreams#Public"

// IsPublic reports whether addr is the public collection, in any of the
// forms servers write it: the full IRI, its compact form "as:Public" and
// the bare "Public" (Fedify and others use the short forms).
func IsPublic(addr string) bool {
	addr = strings.TrimSpace(addr)
	switch addr {
	case "":
		return false
	case "as:Public", "Public", PublicCollection:
		return true
	}
	return SameID(addr, PublicCollection)
}

// AnyPublic reports whether any of the addresses is public.
func AnyPublic(addrs ...[]string) bool {
	for _, list := range addrs {
		for _, a := range list {
			if IsPublic(a) {
				return true
			}
		}
	}
	return false
}

// SameID reports whether two ids name the same thing when compared as
// URLs; see app.SameID.
func SameID(a, b string) bool { return app.SameID(a, b) }

// NormalizeID returns id in the form SameID compares; see app.NormalizeID.
func NormalizeID(id string) string { return app.NormalizeID(id) }
