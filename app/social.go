package app

import "time"

// Page is a window of a list ordered by id, as the Mastodon client API
// pages: MaxID (exclusive) pages back, SinceID (exclusive) bounds the
// newest entries, MinID (exclusive) pages forward from it. Zero leaves a
// bound out. Limit is how many entries at most.
type Page struct {
	MaxID, SinceID, MinID int64
	Limit                 int
}

// TimelineEntry is a thing on a home timeline: the thing and, when
// Plaudit stored it, its full content (HTML as its author wrote it,
// to be sanitized before it is shown).
type TimelineEntry struct {
	Thing       Thing
	Content     string
	Summary     string // content warning
	Sensitive   bool
	InReplyTo   string
	PublishedAt time.Time
}

// Notification kinds, as the Mastodon client API names them.
const (
	NotifyFavourite     = "favourite"
	NotifyFollow        = "follow"
	NotifyFollowRequest = "follow_request"
)

// Notification tells a local actor (RecipientURI) that AccountURI
// flattred one of their things (NotifyFavourite, with the flattr's
// Weight and Month) or follows them.
type Notification struct {
	ID           int64
	RecipientURI string
	Type         string
	AccountURI   string
	ThingURI     string
	Weight       int
	Month        string
	CreatedAt    time.Time
}

// ActorCard is what Plaudit knows of an actor to show it as an account:
// a local user (User) or a remote actor as last fetched (Remote); both
// nil when it knows nothing but the id.
type ActorCard struct {
	URI    string
	User   *User
	Remote *RemoteActor
	// Followers, Following and Statuses are counted for one account
	// shown alone (a local user's); 0 in lists.
	Followers, Following, Statuses int64
}

// Relationship is how a local user and another actor follow each other.
type Relationship struct {
	Following  bool // the user's follow is accepted
	Requested  bool // the user's follow waits for an answer
	FollowedBy bool // the actor's follow of the user is accepted
	// RequestedBy tells that the actor's follow waits for the user.
	RequestedBy bool
}
