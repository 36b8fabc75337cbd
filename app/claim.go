package app

import "time"

// Kinds of ownership claims.
const (
	// ClaimActor claims an actor on another server: its Subject is the
	// actor's id.
	ClaimActor = "actor"
	// ClaimSite claims a blog or web site: its Subject is a URL prefix
	// (scheme, host and path) under which every page is the creator's.
	ClaimSite = "site"
)

// Claim states.
const (
	ClaimPending  = "pending"  // made, not verified yet (or not since it changed)
	ClaimVerified = "verified" // both sides link to each other
	ClaimRefused  = "refused"  // the last check found a one-way or no link
)

// Claim is a creator's statement that they own an actor on another
// server, a blog or a web page. It counts only once both sides were
// fetched and each links to the other (Verified); it can be checked again
// at any time, and a failed check withdraws it.
type Claim struct {
	ID       int64
	UserID   int64
	ActorURI string // the creator's local actor
	Kind     string // ClaimActor or ClaimSite
	Subject  string // the remote actor's id, or the site's URL prefix
	URL      string // the address checked: the actor, or the page carrying the back link
	Host     string // the subject's host
	State    string
	// Message says what the last check found: which side is missing.
	Message    string
	CheckedAt  *time.Time
	VerifiedAt *time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Verified tells whether the claim holds as of its last check.
func (c *Claim) Verified() bool { return c.State == ClaimVerified }
