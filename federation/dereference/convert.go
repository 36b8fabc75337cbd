package dereference

import (
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// RemoteActorOf converts a parsed actor document to the stored form. raw is
// the document as received; fetchedAt is when. The stored key is the one
// with id preferKeyID when the actor lists it, else the first usable one;
// a key is usable when it has a PEM, lives on the actor's host and has the
// actor (or nobody) as owner. An actor without a usable key is stored with
// none.
func RemoteActorOf(a *as2.Actor, raw []byte, preferKeyID string, fetchedAt time.Time) *app.RemoteActor {
	key := keyOf(a, preferKeyID)
	return &app.RemoteActor{
		URI:                       a.ID,
		Type:                      a.Type,
		Host:                      hostOf(a.ID),
		PreferredUsername:         a.PreferredUsername,
		Name:                      a.Name,
		Summary:                   a.Summary,
		URL:                       a.URL,
		IconURL:                   a.IconURL,
		Inbox:                     a.Inbox,
		SharedInbox:               a.SharedInbox,
		Outbox:                    a.Outbox,
		Followers:                 a.Followers,
		KeyID:                     key.ID,
		PublicKeyPEM:              key.PEM,
		ManuallyApprovesFollowers: a.ManuallyApprovesFollowers,
		AlsoKnownAs:               strings.Join(a.AlsoKnownAs, " "),
		MovedTo:                   a.MovedTo,
		Document:                  string(raw),
		FetchedAt:                 fetchedAt.UTC(),
	}
}

// keyOf picks the actor's key to store; see RemoteActorOf.
func keyOf(a *as2.Actor, prefer string) as2.PublicKey {
	var usable []as2.PublicKey
	for _, k := range a.PublicKeys {
		if k.PEM == "" || k.ID == "" || !SameHost(k.ID, a.ID) {
			continue
		}
		if k.Owner != "" && !as2.SameID(k.Owner, a.ID) {
			continue
		}
		usable = append(usable, k)
	}
	for _, k := range usable {
		if as2.SameID(k.ID, prefer) {
			return k
		}
	}
	if len(usable) > 0 {
		return usable[0]
	}
	return as2.PublicKey{}
}

// contentTypes are the object types stored as remote objects.
var contentTypes = map[string]bool{
	"Note": true, "Article": true, "Page": true, "Image": true, "Video": true,
	"Audio": true, "Event": true, "Question": true, "Document": true,
}

// IsContentType reports whether objects of type t are kept as remote
// objects: Note, Article, Page, Image, Video, Audio, Event, Question,
// Document.
func IsContentType(t string) bool { return contentTypes[t] }

// RemoteObjectOf converts a parsed object to the stored form.
func RemoteObjectOf(o *as2.Object) *app.RemoteObject {
	ro := &app.RemoteObject{
		URI:          o.ID,
		Type:         o.Type,
		AttributedTo: o.AttributedTo,
		Name:         o.Name,
		Summary:      o.Summary,
		Content:      o.Content,
		URL:          o.URL,
		InReplyTo:    o.InReplyTo,
		Public:       o.Public(),
		Document:     string(o.Raw),
	}
	if !o.Published.IsZero() {
		t := o.Published.UTC()
		ro.PublishedAt = &t
	}
	return ro
}

// CheckAttribution refuses an object that claims authors on another host
// than its own id: a server speaks only for its own actors.
func CheckAttribution(o *as2.Object) error {
	for _, by := range o.AttributedToAll {
		if !SameHost(by, o.ID) {
			return invalidf("object %s is attributed to %s, on another host", o.ID, by)
		}
	}
	return nil
}
