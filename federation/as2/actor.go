package as2

import (
	"fmt"
	"strings"
)

// actorTypes are the ActivityStreams actor types.
var actorTypes = map[string]bool{
	"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true,
}

// IsActorType reports whether t is one of the five ActivityStreams actor
// types (Person, Service, Application, Group, Organization).
func IsActorType(t string) bool { return actorTypes[t] }

// Actor is an ActivityPub actor as fetched from its id.
type Actor struct {
	ID                        string
	Type                      string // the first actor type among the document's types
	PreferredUsername         string
	Name                      string
	Summary                   string // HTML
	Inbox                     string
	Outbox                    string
	Followers                 string
	Following                 string
	SharedInbox               string // endpoints.sharedInbox, or Misskey's top-level sharedInbox
	URL                       string // profile page (see URLOf)
	IconURL                   string // avatar image
	PublicKey                 PublicKey
	PublicKeys                []PublicKey // all keys; PublicKey is the first with a PEM
	AssertionMethods          []Multikey  // FEP-521a keys for integrity proofs
	ManuallyApprovesFollowers bool
	Discoverable              bool
	AlsoKnownAs               []string
	MovedTo                   string
	Attachments               []Attachment
}

// PublicKey is an actor's key for HTTP signatures (security vocabulary v1).
type PublicKey struct {
	ID    string // the keyId signatures name, e.g. ".../users/alice#main-key"
	Owner string // the actor the key belongs to
	PEM   string // PKIX "PUBLIC KEY" block
}

// Key returns the actor's key whose id is keyID (compared with SameID).
func (a *Actor) Key(keyID string) (PublicKey, bool) {
	for _, k := range a.PublicKeys {
		if SameID(k.ID, keyID) {
			return k, true
		}
	}
	return PublicKey{}, false
}

// PaymentLinks returns the actor's FEP-0ea0 payment links.
func (a *Actor) PaymentLinks() []Attachment {
	var out []Attachment
	for _, at := range a.Attachments {
		if at.IsPaymentLink() {
			out = append(out, at)
		}
	}
	return out
}

// ParseActor parses an actor document. It needs an id and one of the actor
// types; everything else is optional, so check Inbox and PublicKey before
// relying on them.
func ParseActor(data []byte) (*Actor, error) {
	f, err := decodeFields(data)
	if err != nil {
		return nil, fmt.Errorf("parse actor: %w", err)
	}
	a, err := actorFromFields(f)
	if err != nil {
		return nil, fmt.Errorf("parse actor: %w", err)
	}
	return a, nil
}

func actorFromFields(f fields) (*Actor, error) {
	types := f.types()
	if len(types) == 0 {
		return nil, ErrMissingType
	}
	a := &Actor{ID: strings.TrimSpace(f.docID())}
	for _, t := range types {
		if IsActorType(t) {
			a.Type = t
			break
		}
	}
	if a.Type == "" {
		return nil, fmt.Errorf("%w: %q is not an actor type", ErrUnexpectedType, types[0])
	}
	if a.ID == "" {
		return nil, ErrMissingID
	}
	a.PreferredUsername = f.str("preferredUsername")
	a.Name = f.text("name")
	a.Summary = f.text("summary")
	a.Inbox = f.id("inbox")
	a.Outbox = f.id("outbox")
	a.Followers = f.id("followers")
	a.Following = f.id("following")
	a.SharedInbox = sharedInboxOf(f)
	a.URL = URLOf(f.value("url"))
	a.IconURL = URLOf(f.value("icon"))
	a.PublicKeys = publicKeysOf(f.value("publicKey"))
	a.PublicKey = firstWithPEM(a.PublicKeys)
	a.AssertionMethods = multikeysOf(f.value("assertionMethod"))
	a.ManuallyApprovesFollowers = BoolOf(f.value("manuallyApprovesFollowers"))
	a.Discoverable = BoolOf(f.value("discoverable"))
	a.AlsoKnownAs = f.ids("alsoKnownAs")
	a.MovedTo = f.id("movedTo")
	a.Attachments = attachmentsOf(f.value("attachment"))
	return a, nil
}

func sharedInboxOf(f fields) string {
	if ep, ok := f.value("endpoints").(map[string]any); ok {
		if s := IDOf(ep["sharedInbox"]); s != "" {
			return s
		}
	}
	return f.id("sharedInbox")
}

// publicKeysOf reads a publicKey value: one key object (Mastodon), an array
// of them, or a bare key id.
func publicKeysOf(v any) []PublicKey {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	var keys []PublicKey
	for _, e := range list {
		switch k := e.(type) {
		case string:
			if s := strings.TrimSpace(k); s != "" {
				keys = append(keys, PublicKey{ID: s})
			}
		case map[string]any:
			keys = append(keys, PublicKey{
				ID:    IDOf(k),
				Owner: IDOf(k["owner"]),
				PEM:   strings.TrimSpace(StringOf(k["publicKeyPem"])),
			})
		}
	}
	return keys
}

func firstWithPEM(keys []PublicKey) PublicKey {
	for _, k := range keys {
		if k.PEM != "" {
			return k
		}
	}
	if len(keys) > 0 {
		return keys[0]
	}
	return PublicKey{}
}
