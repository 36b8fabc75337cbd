package app

import (
	"context"
	"regexp"
	"strings"
	"time"
)

// usernamePattern is Mastodon's rule for local usernames.
var usernamePattern = regexp.MustCompile(`^[a-z0-9_]{1,30}$`)

// NormalizeUsername lower-cases name and checks it against the username rule
// ([a-z0-9_]{1,30}, compared case-insensitively).
func NormalizeUsername(name string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(name))
	if !usernamePattern.MatchString(key) {
		return "", Errorf(EINVALID, "username %q must be 1 to 30 letters, digits or underscores", name)
	}
	return key, nil
}

// User is a local account.
type User struct {
	ID          int64
	Username    string // lower-case, see NormalizeUsername
	DisplayName string
	Summary     string
	Admin       bool
	// PublicKeyPEM is the public half of the RSA key pair the user's
	// actor signs federation requests with; the private half is among
	// the UserSecrets, which a User never carries.
	PublicKeyPEM              string
	ManuallyApprovesFollowers bool
	Discoverable              bool
	AlsoKnownAs               string // space-separated actor URIs
	// AttributionDomains are the hosts of the sites the user claimed,
	// space-separated: published on their actor, so that pages there may
	// name them as creator (fediverse:creator).
	AttributionDomains string
	IconURL            string
	CreatedAt          time.Time
	UpdatedAt          time.Time
	// SuspendedAt is when an admin suspended the account; nil while it
	// is not. A suspended user cannot sign in or use a token.
	SuspendedAt *time.Time
}

// UserSecrets are what a user's account keeps secret: kept apart from
// User, so that they are loaded only by sign-in and signing, never for an
// actor document or a page.
type UserSecrets struct {
	PasswordHash  string // argon2id
	PrivateKeyPEM string // PKCS #8
}

// Session is a signed-in browser. Only the SHA-256 of its cookie is stored.
type Session struct {
	ID         int64
	TokenHash  string
	UserID     int64
	UserAgent  string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	LastSeenAt time.Time
}

// APIToken is a bearer token for the API. Only its SHA-256 is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  string
	CreatedAt  time.Time
	LastUsedAt *time.Time
	// Scopes are the Mastodon OAuth scopes the token grants, separated by
	// spaces (see accounts.ParseScopes).
	Scopes string
	// ExpiresAt is when the token stops working; nil is never, which no
	// token issued now gets.
	ExpiresAt *time.Time
	// RevokedAt is when the token was revoked; nil while it is not.
	RevokedAt *time.Time
}

// Invite lets one person sign up when sign-up is invite-only.
type Invite struct {
	ID        int64
	CodeHash  string
	CreatedBy *int64
	UsedBy    *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// AccountStore persists users, sessions, tokens and invites.
type AccountStore interface {
	CreateUser(ctx context.Context, u *User, secrets UserSecrets) error
	PasswordHash(ctx context.Context, userID int64) (string, error)
	UserByID(ctx context.Context, id int64) (*User, error)
	UserByUsername(ctx context.Context, username string) (*User, error)
	CountUsers(ctx context.Context) (int64, error)
	SetManuallyApprovesFollowers(ctx context.Context, userID int64, manual bool) error
	// UpdateUserProfile writes the named profile columns (display_name,
	// summary, manually_approves_followers) of a user.
	UpdateUserProfile(ctx context.Context, userID int64, fields map[string]any) error

	CreateSession(ctx context.Context, s *Session) error
	SessionByTokenHash(ctx context.Context, hash string) (*Session, error)
	TouchSession(ctx context.Context, id int64, seen time.Time) error
	DeleteSession(ctx context.Context, hash string) error

	CreateAPIToken(ctx context.Context, t *APIToken) error
	APITokenByHash(ctx context.Context, hash string) (*APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, used time.Time) error
	APITokenByID(ctx context.Context, id int64) (*APIToken, error)
	// APITokensByUser lists a user's tokens, revoked and expired ones
	// included, oldest first.
	APITokensByUser(ctx context.Context, userID int64) ([]APIToken, error)
	// RevokeAPIToken sets revoked_at of a token not revoked yet; revoking
	// it again changes nothing.
	RevokeAPIToken(ctx context.Context, id int64, at time.Time) error

	CreateInvite(ctx context.Context, inv *Invite) error
	// CreateUserWithInvite creates u and marks the unexpired, unused invite
	// with codeHash as used by u, in one transaction.
	CreateUserWithInvite(ctx context.Context, u *User, secrets UserSecrets, codeHash string, now time.Time) error

	// ListUsers lists local users by username; SetUserSuspended sets or
	// clears (nil) suspended_at; SetPasswordHash replaces a password.
	ListUsers(ctx context.Context) ([]User, error)
	SetUserSuspended(ctx context.Context, userID int64, at *time.Time) error
	SetPasswordHash(ctx context.Context, userID int64, hash string) error
}
