package app

import "time"

// OOBRedirectURI is the redirect URI of apps that show the authorization
// code to the user instead of receiving it (OAuth's out-of-band URI).
const OOBRedirectURI = "urn:ietf:wg:oauth:2.0:oob"

// OAuthApp is a client application registered through the Mastodon client
// API. Only the SHA-256 of its client secret is kept.
type OAuthApp struct {
	ID         int64
	ClientID   string
	SecretHash string
	Name       string
	// RedirectURIs are the URIs codes may be sent to, one per line,
	// matched exactly.
	RedirectURIs string
	Scopes       string // space-separated Mastodon scopes the app may ask for
	Website      string
	CreatedAt    time.Time
}

// OAuthCode is an authorization code a user granted an app, by its
// SHA-256. It is good for one token request before ExpiresAt.
type OAuthCode struct {
	ID              int64
	CodeHash        string
	ClientID        string
	Username        string
	RedirectURI     string
	Scopes          string
	Challenge       string // PKCE code challenge, "" without PKCE
	ChallengeMethod string // S256
	CreatedAt       time.Time
	ExpiresAt       time.Time
	UsedAt          *time.Time
}

// OAuthAppToken is a client_credentials token: it acts for an app, not a
// user. Only its SHA-256 is kept.
type OAuthAppToken struct {
	ID        int64
	TokenHash string
	ClientID  string
	Scopes    string
	CreatedAt time.Time
	RevokedAt *time.Time
}
