package app

import "time"

// Kinds of things. A thing's kind is the ActivityStreams type of the
// object it is, or ThingLink for a plain web page.
const (
	ThingNote    = "Note"
	ThingArticle = "Article"
	ThingPage    = "Page"
	ThingImage   = "Image"
	ThingVideo   = "Video"
	ThingAudio   = "Audio"
	ThingEvent   = "Event"
	ThingLink    = "Link" // a web page that does not speak ActivityPub
)

// FlattrableKind tells whether objects of ActivityStreams type t can be
// flattred.
func FlattrableKind(t string) bool {
	switch t {
	case ThingNote, ThingArticle, ThingPage, ThingImage, ThingVideo, ThingAudio, ThingEvent, ThingLink, "Question":
		return true
	}
	return false
}

// Thing is anything a creator published that can be flattred: a post on
// any server or a plain web page. URI is its canonical id (its
// ActivityPub id, or its URL); OwnerURI the actor who receives its money,
// "" while nobody is known to own it.
type Thing struct {
	ID  int64
	URI string
	// OwnerURI is the actor the thing belongs to. OwnerConfirmed tells
	// that the origin confirmed it: the object, fetched from its own id,
	// names the owner in attributedTo on the id's host, or a verified
	// claim names it. Money only goes to a confirmed owner.
	OwnerURI       string
	OwnerConfirmed bool
	Kind           string
	Title          string
	Summary        string
	URL            string // link for display
	Host           string
	Local          bool // published on this server
	// ApprovalRequired tells that the thing's server approves each Like
	// (GoToSocial's interaction policy): a flattr of it is pending until
	// the server authorises the Like.
	ApprovalRequired bool
	PaymentLinks     []PaymentLink
	DeletedAt        *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Display is the thing's title, else its summary, else its URL.
func (t *Thing) Display() string {
	switch {
	case t.Title != "":
		return t.Title
	case t.Summary != "":
		return t.Summary
	case t.URL != "":
		return t.URL
	}
	return t.URI
}

// Kinds of payment links.
const (
	PaymentFEP0ea0      = "payment"      // FEP-0ea0 Link with rel "payment"
	PaymentMonetization = "monetization" // Web Monetization's monetization property
	PaymentSupport      = "support"      // PeerTube's free-text support field
)

// PaymentLink is a way to pay a creator that someone published: a
// FEP-0ea0 payment link, a Web Monetization wallet address, or PeerTube's
// support text (Href empty, Name the text).
type PaymentLink struct {
	Kind string
	Href string
	Name string
}

// ThingCounts are a thing's counts: flattrs and cheers this month and all
// time, and its distinct funders. Cached, and exact after any sequence of
// likes, changes and undos.
type ThingCounts struct {
	Month          string // YYYY-MM the month counts are for
	FlattrsMonth   int64
	FlattrsAllTime int64
	CheersMonth    int64
	CheersAllTime  int64
	Funders        int64
	// UpdatedAt is when the counts last changed (for ETags and caches).
	UpdatedAt time.Time
}

// Recipient is one of the people who share a thing's money (or every
// thing of a creator's account): co-creators, each with a share. Shares
// are relative weights, as Podcasting 2.0's valueRecipient split: they
// need not add up to 100.
type Recipient struct {
	// SubjectURI is the thing, or the creator's actor for a split that
	// applies to all their things.
	SubjectURI   string
	RecipientURI string
	Share        int
}

// CountChange is a change a transaction made to one thing's counts of one
// month, known exactly from the rows it wrote: the net number of active
// flattrs it added (negative when it withdrew them) and their weight, and
// of cheers. FunderKey, for a change of flattrs, is whose (FlattrSlot's
// key): the thing's distinct funders are worked out from it.
type CountChange struct {
	URI, Month              string
	Flattrs, Weight, Cheers int64
	FunderKey               string
}

// ThingMonth names one thing's counts of one month.
type ThingMonth struct {
	URI   string
	Month string
}
