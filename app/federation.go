package app

import "time"

// InstanceKey is the key pair of the instance actor, which signs fetches and
// speaks for the server as a whole. There is one, with ID 1.
type InstanceKey struct {
	ID            int64
	PrivateKeyPEM string
	PublicKeyPEM  string
	CreatedAt     time.Time
}

// InstanceEd25519Key is the instance actor's Ed25519 key pair, which signs
// object integrity proofs; made on first use, like InstanceKey.
type InstanceEd25519Key struct {
	PrivateKeyMultibase string // the seed as an ed25519-priv Multikey
	PublicKeyMultibase  string // the public key as an ed25519-pub Multikey ("z6Mk…")
	CreatedAt           time.Time
}

// RemoteActor is an actor on another server, as last fetched.
type RemoteActor struct {
	ID                        int64
	URI                       string
	Type                      string
	Host                      string
	PreferredUsername         string
	Name                      string
	Summary                   string
	URL                       string
	IconURL                   string
	Inbox                     string
	SharedInbox               string
	Outbox                    string
	Followers                 string
	KeyID                     string
	PublicKeyPEM              string
	ManuallyApprovesFollowers bool
	AlsoKnownAs               string // space-separated
	MovedTo                   string
	Document                  string // the JSON as fetched
	FetchedAt                 time.Time
	DeletedAt                 *time.Time
	CreatedAt                 time.Time
	UpdatedAt                 time.Time
}

// DeliveryInbox is where to deliver to the actor: its shared inbox when the
// server offers one, else its personal inbox.
func (a *RemoteActor) DeliveryInbox() string {
	if a.SharedInbox != "" {
		return a.SharedInbox
	}
	return a.Inbox
}

// Follow states.
const (
	FollowPending  = "pending"
	FollowAccepted = "accepted"
	FollowRejected = "rejected"
)

// Follow is a follow relation with at least one local side.
type Follow struct {
	ID          int64
	ActivityURI string
	FollowerURI string
	FolloweeURI string
	State       string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Activity states: received activities wait in pending until the inbox job
// has processed them; published ones are done once their deliveries exist.
const (
	ActivityPending   = "pending"
	ActivityProcessed = "processed"
	ActivityFailed    = "failed"
	ActivityPublished = "published"
)

// Activity is an ActivityPub activity published by a local actor (Local)
// or received in an inbox. The URI is unique, which makes receiving the same
// activity twice a no-op.
type Activity struct {
	ID          int64
	URI         string
	Type        string
	ActorURI    string
	ObjectURI   string
	Local       bool
	Public      bool
	InboxOwner  string // local actor whose inbox received it; "" for the shared inbox
	Document    string // the JSON as sent or received
	State       string
	Error       string // why it failed; while pending, the last failure retried
	CreatedAt   time.Time
	ProcessedAt *time.Time

	// Attempts counts the failed attempts at processing a received activity
	// that are retried; NextAttemptAt is when the row is next due (a
	// worker's claim moves it ahead for as long as an attempt may take).
	Attempts      int
	NextAttemptAt time.Time
}

// RemoteObject is a Note, Article, Page, Image, Video… from another server.
type RemoteObject struct {
	ID           int64
	URI          string
	Type         string
	AttributedTo string
	Name         string
	Summary      string
	Content      string
	URL          string
	InReplyTo    string
	Public       bool
	PublishedAt  *time.Time
	Document     string
	DeletedAt    *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Like is a Like received from or sent to another actor. A flattr is a Like.
type Like struct {
	ID          int64
	ActivityURI string
	ActorURI    string
	ObjectURI   string
	Content     string // emoji reaction (Misskey, Pleroma), if any
	CreatedAt   time.Time
}

// Delivery states.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryDead      = "dead"    // gave up: permanent error or retries exhausted
	DeliverySkipped   = "skipped" // host unreachable or blocked
)

// Delivery is one activity to POST to one inbox.
type Delivery struct {
	ID            int64
	ActivityID    int64
	Inbox         string
	Host          string
	State         string
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int
	LastError     string
	CreatedAt     time.Time
	UpdatedAt     time.Time
	DeliveredAt   *time.Time
}

// RemoteHost tracks whether a server answers deliveries.
type RemoteHost struct {
	Host             string
	Failures         int
	FirstFailureAt   *time.Time
	LastFailureAt    *time.Time
	LastSuccessAt    *time.Time
	UnreachableSince *time.Time
	UpdatedAt        time.Time
}

// Domain block severities.
const (
	BlockReject  = "reject"  // refuse everything from and to the domain
	BlockSilence = "silence" // accept, but keep out of public views
)

// DomainBlock is an admin's block of a whole server.
type DomainBlock struct {
	Domain    string
	Severity  string
	Reason    string
	CreatedAt time.Time
}

// ActorBlock is a block of one actor: by an admin (BlockedBy is the
// instance actor's URI) or by a remote actor's Block activity.
type ActorBlock struct {
	ID        int64
	ActorURI  string
	BlockedBy string
	Reason    string
	CreatedAt time.Time
}
