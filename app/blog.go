package app

import "time"

// Kinds of blogs.
const (
	// BlogActivityPub is a blog with an actor of its own (the WordPress
	// ActivityPub plugin, WriteFreely, Ghost): followed, and its posts
	// become the creator's things.
	BlogActivityPub = "activitypub"
	// BlogFeed is a blog with only an RSS, Atom or JSON feed: polled, and
	// each new item published once as an Article of the creator.
	BlogFeed = "feed"
)

// Blog is a blog a creator connected. Its fetch status (LastFetchAt,
// LastError, LastItemAt) is what the creator sees.
type Blog struct {
	ID       int64
	UserID   int64
	OwnerURI string // the creator's local actor
	Kind     string
	URL      string // the address the creator gave
	ActorURI string // a BlogActivityPub's actor
	FeedURL  string // a BlogFeed's feed
	Title    string
	// ETag and LastModified are the validators of the last feed fetch,
	// sent back for a conditional GET.
	ETag         string
	LastModified string
	LastFetchAt  *time.Time
	LastError    string // "" after a good fetch
	LastItemAt   *time.Time
	Items        int64 // items published so far
	Failures     int   // fetches failed in a row, for backoff
	NextPollAt   time.Time
	PaymentLinks []PaymentLink
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// FeedItem is one entry of a blog's feed, as the feed reader maps it.
type FeedItem struct {
	GUID      string // the item's stable id (guid, id, else link)
	Title     string
	Link      string // the original post
	Summary   string // plain text or HTML
	Published time.Time
}

// Feed is what one fetch of a feed gave.
type Feed struct {
	NotModified  bool // the server answered 304: nothing changed
	ETag         string
	LastModified string
	Title        string
	Items        []FeedItem
	PaymentLinks []PaymentLink
}
