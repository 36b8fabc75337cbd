package app

import "time"

// Auto-flattr link states.
const (
	AutoFlattrPending = "pending" // the funder has not approved it on their server yet
	AutoFlattrActive  = "active"
)

// AutoFlattrLink is a funder's home account on a server with a Mastodon
// API, whose favourites become flattrs of weight 1 here, at most Cap a
// month, except of things on the Exceptions hosts.
type AutoFlattrLink struct {
	ID           int64
	UserID       int64
	Server       string // scheme://host of the home server
	ClientID     string
	ClientSecret string
	TokenSealed  string // the access token, sealed
	Verifier     string // the PKCE verifier, until the code is exchanged
	OAuthState   string
	State        string
	Cap          int
	Exceptions   []string
	CreatedAt    time.Time
}
