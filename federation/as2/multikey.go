package as2

import "strings"

// Contexts of documents that carry integrity proofs or list Multikeys.
const (
	DataIntegrityContext = "https://w3id.org/security/data-integrity/v1"
	MultikeyContext      = "https://w3id.org/security/multikey/v1"
)

// Multikey is a verification method as FEP-521a puts it in an actor's
// assertionMethod: a public key in multibase form ("z6Mk…" for Ed25519)
// that signs the actor's object integrity proofs.
type Multikey struct {
	ID                 string // the actor's id with a fragment, e.g. "…/actor#ed25519-key"
	Controller         string // the actor
	PublicKeyMultibase string
	Expires            string // dateTime after which the key signs nothing; usually empty
}

// Document returns the Multikey as it appears in an actor document.
func (k Multikey) Document() Document {
	d := Document{"id": k.ID, "type": "Multikey", "controller": k.Controller, "publicKeyMultibase": k.PublicKeyMultibase}
	setIf(d, "expires", k.Expires)
	return d
}

// multikeysOf reads an assertionMethod value: Multikey objects, alone or
// in an array. Bare ids and objects of other types are skipped: they name
// no key we can use.
func multikeysOf(v any) []Multikey {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var keys []Multikey
	for _, e := range list {
		m, ok := e.(map[string]any)
		if !ok || !hasType(m, "Multikey") {
			continue
		}
		keys = append(keys, Multikey{
			ID:                 IDOf(m),
			Controller:         IDOf(m["controller"]),
			PublicKeyMultibase: strings.TrimSpace(StringOf(m["publicKeyMultibase"])),
			Expires:            strings.TrimSpace(StringOf(m["expires"])),
		})
	}
	return keys
}

func hasType(m map[string]any, t string) bool {
	for _, have := range TypesOf(m) {
		if have == t {
			return true
		}
	}
	return false
}

// AssertionMethod returns the actor's Multikey whose id is id (compared
// with SameID).
func (a *Actor) AssertionMethod(id string) (Multikey, bool) {
	for _, k := range a.AssertionMethods {
		if SameID(k.ID, id) {
			return k, true
		}
	}
	return Multikey{}, false
}
