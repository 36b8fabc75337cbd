package federation

import (
	"fmt"
	"net/url"
	"strings"
)

// InstanceActorUsername is the instance actor's preferredUsername and
// WebFinger account name, the same on every domain. A domain is not a valid
// account name once it carries a port ("127.0.0.1:8080"): GoToSocial and
// Mastodon accept only letters, digits, '.', '-' and '_' there, so Plaudit
// names its instance actor as Mastodon does ("mastodon.internal"), with a
// fixed name. The '.' keeps it apart from local usernames ([a-z0-9_]).
const InstanceActorUsername = "instance.actor"

// URLs builds the public URLs of this instance's ActivityPub documents.
type URLs struct {
	base string // scheme://host[:port], no trailing slash
	host string
}

// NewURLs returns the URLs under baseURL, e.g. "https://plaudit.example".
func NewURLs(baseURL string) URLs {
	base := strings.TrimRight(baseURL, "/")
	host := base
	if u, err := url.Parse(base); err == nil {
		host = u.Host
	}
	return URLs{base: base, host: host}
}

// Base is the instance's root URL.
func (u URLs) Base() string { return u.base }

// Host is the instance's host (and port), as in acct: addresses.
func (u URLs) Host() string { return u.host }

// Actor is the id of a local user's Person.
func (u URLs) Actor(username string) string { return u.base + "/users/" + username }

// KeyID is the id of a local user's public key.
func (u URLs) KeyID(username string) string { return u.Actor(username) + "#main-key" }

// Inbox is a local user's personal inbox.
func (u URLs) Inbox(username string) string { return u.Actor(username) + "/inbox" }

// Outbox is a local user's outbox.
func (u URLs) Outbox(username string) string { return u.Actor(username) + "/outbox" }

// Followers is a local user's followers collection.
func (u URLs) Followers(username string) string { return u.Actor(username) + "/followers" }

// Following is a local user's following collection.
func (u URLs) Following(username string) string { return u.Actor(username) + "/following" }

// Profile is a local user's HTML profile page.
func (u URLs) Profile(username string) string { return u.base + "/@" + username }

// SharedInbox receives activities for every local actor.
func (u URLs) SharedInbox() string { return u.base + "/inbox" }

// InstanceActor is the id of the instance's Application actor.
func (u URLs) InstanceActor() string { return u.base + "/actor" }

// InstanceAcct is the instance actor's WebFinger subject,
// "acct:instance.actor@host".
func (u URLs) InstanceAcct() string { return "acct:" + InstanceActorUsername + "@" + u.host }

// InstanceEd25519KeyID is the id of the instance actor's Ed25519 key, the
// verificationMethod of its integrity proofs (FEP-521a assertionMethod).
func (u URLs) InstanceEd25519KeyID() string { return u.InstanceActor() + "#ed25519-key" }

// InstanceKeyID is the id of the instance actor's public key.
func (u URLs) InstanceKeyID() string { return u.InstanceActor() + "#main-key" }

// InstanceInbox is the instance actor's inbox.
func (u URLs) InstanceInbox() string { return u.InstanceActor() + "/inbox" }

// Activity is the id of a local activity.
func (u URLs) Activity(id string) string { return u.base + "/activities/" + id }

// Object is the id of a local object (a Note or Article posted through the
// client-to-server outbox).
func (u URLs) Object(id string) string { return u.base + "/objects/" + id }

// LocalUsername returns the username of a local actor id, and false for
// anything else (remote actors, the instance actor).
func (u URLs) LocalUsername(actorURI string) (string, bool) {
	rest, ok := strings.CutPrefix(actorURI, u.base+"/users/")
	if !ok || rest == "" || strings.ContainsAny(rest, "/#?") {
		return "", false
	}
	return rest, true
}

// IsLocal tells whether uri is on this instance.
func (u URLs) IsLocal(uri string) bool {
	return uri == u.base || strings.HasPrefix(uri, u.base+"/")
}

// Statement is the id of this instance's statement of month to the peer
// at peerHost, in its version-th version.
func (u URLs) Statement(month, peerHost string, version int) string {
	return fmt.Sprintf("%s/statements/%s/%s/%d", u.base, month, url.PathEscape(peerHost), version)
}

// Settlement is the id of this instance's settlement of month with the
// peer at peerHost.
func (u URLs) Settlement(month, peerHost string) string {
	return fmt.Sprintf("%s/settlements/%s/%s", u.base, month, url.PathEscape(peerHost))
}
