package app

import "time"

// Peer is another Plaudit server this one settles flattrs with, as its
// NodeInfo announced it.
type Peer struct {
	Host            string
	InstanceActor   string
	Inbox           string
	Currency        string
	Settles         bool
	ProtocolVersion int
	CheckedAt       time.Time
}

// Statement directions.
const (
	StatementOut = "out" // sent by this instance to a peer
	StatementIn  = "in"  // received from a peer
)

// Statement states.
const (
	StatementOffered    = "offered"    // sent (or received), not answered yet
	StatementAccepted   = "accepted"   // every line matched: the money is owed
	StatementDisputed   = "disputed"   // some lines or the total failed; nothing is owed
	StatementSuperseded = "superseded" // replaced by a corrected statement
)

// Statement is what one instance's month close owes another for the Likes
// its funders sent to the other's things: a line per Like, signed by the
// sender's instance actor, answered by the receiver with an acceptance or
// a dispute naming the failing lines.
type Statement struct {
	URI        string
	Direction  string
	PeerHost   string // the other server
	Month      string
	Version    int
	Supersedes string // the URI of the statement this one corrects
	Currency   string
	Total      int64
	Lines      []StatementLine
	LineCount  int64
	State      string
	Reasons    []Dispute
	// Document is the signed statement as sent or received.
	Document  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// StatementLine is one Like's money in a statement. A line with a
// Claimant is escrow released to a creator who claimed, on the receiving
// server, the account the thing is by: the Like went to that account's
// old server, not to the receiver.
type StatementLine struct {
	LikeURI  string
	ThingURI string
	Amount   int64
	Claimant string
}

// PeerClaim is a claim made on a peer of an account on a third server,
// as the peer told this instance of it.
type PeerClaim struct {
	URI      string
	PeerHost string
	Sender   string // the actor that sent and signed the notice
	Claimant string // the creator's actor on the peer
	Subject  string // the account claimed
}

// Dispute is why a statement, or one of its lines, was refused. Line is
// the line's index (from 0), or -1 for the statement as a whole.
type Dispute struct {
	Line    int    `json:"line"`
	LikeURI string `json:"like,omitempty"`
	Reason  string `json:"reason"`
}

// StatementEvent is one step of a statement's history.
type StatementEvent struct {
	State string
	Note  string
	At    time.Time
}

// Credit is what an accepted incoming statement gave one local creator.
type Credit struct {
	CreatorURI string
	Amount     int64
}

// Settlement is the transfer that settled a month between this instance
// and a peer: the accepted statements both ways netted to one amount.
// Net is what this instance paid the peer (negative: what the peer paid
// this instance).
type Settlement struct {
	PeerHost    string
	Month       string
	Currency    string
	Outgoing    int64 // accepted statements this instance sent
	Incoming    int64 // accepted statements this instance received
	Net         int64
	Reference   string
	URI         string
	ConfirmedBy string // "here" or "peer"
	LedgerKey   string
	Document    []byte
	CreatedAt   time.Time
}

// Netting is where a month with a peer stands: the statements both ways,
// the net, and the settlement once confirmed.
type Netting struct {
	PeerHost string
	Month    string
	Currency string
	// Outgoing and Incoming add up the accepted statements each way.
	Outgoing int64
	Incoming int64
	// Open counts statements not answered yet (either way): the month
	// cannot be settled while any is open.
	Open       int
	Disputed   int
	Net        int64 // Outgoing − Incoming: > 0 this instance pays
	Settlement *Settlement
}

// PendingKey is the key of a creator's pending account for money a peer
// owes them: the peer's host and the creator's actor.
func PendingKey(peerHost, creatorURI string) string { return peerHost + " " + creatorURI }
