package accounts

import (
	"slices"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// Scope vocabulary: Mastodon's OAuth scopes, so that the Mastodon client
// API can reuse these tokens. A top-level scope (read, write, admin:read,
// admin:write) grants every sub-scope under it (write grants
// write:favourites); a sub-scope grants only itself (read:accounts does not
// grant read).
const (
	ScopeRead       = "read"
	ScopeWrite      = "write"
	ScopeFollow     = "follow"
	ScopePush       = "push"
	ScopeProfile    = "profile"
	ScopeAdminRead  = "admin:read"
	ScopeAdminWrite = "admin:write"
)

// DefaultScopes are what a token gets when its creator names none, and what
// the tokens made before scopes existed were given: everything but admin.
var DefaultScopes = Scopes{ScopeRead, ScopeWrite, ScopeFollow}

// knownScopes is every scope Mastodon defines (docs: api/oauth-scopes).
var knownScopes = mastodonScopes()

func mastodonScopes() map[string]bool {
	knownScopes := map[string]bool{}
	for _, s := range []string{ScopeRead, ScopeWrite, ScopeFollow, ScopePush, ScopeProfile, ScopeAdminRead, ScopeAdminWrite} {
		knownScopes[s] = true
	}
	for _, sub := range []string{"accounts", "blocks", "bookmarks", "favourites", "filters", "follows", "lists", "mutes", "notifications", "search", "statuses"} {
		knownScopes["read:"+sub] = true
	}
	for _, sub := range []string{"accounts", "blocks", "bookmarks", "conversations", "favourites", "filters", "follows", "lists", "media", "mutes", "notifications", "reports", "statuses"} {
		knownScopes["write:"+sub] = true
	}
	for _, sub := range []string{"accounts", "reports", "domain_allows", "domain_blocks", "ip_blocks", "email_domain_blocks", "canonical_email_blocks"} {
		knownScopes["admin:read:"+sub] = true
		knownScopes["admin:write:"+sub] = true
	}
	return knownScopes
}

// followGrants are the scopes of Mastodon's deprecated follow scope.
var followGrants = []string{"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes"}

// Scopes is what a token may do: a set of Mastodon scopes, in the order
// first given, without duplicates.
type Scopes []string

// ParseScopes reads scopes separated by spaces (as OAuth writes them) or
// commas (as the command line takes them). An unknown scope or an empty
// list is app.EINVALID.
func ParseScopes(s string) (Scopes, error) {
	var out Scopes
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' || r == '\n' }) {
		if !knownScopes[f] {
			return nil, app.Errorf(app.EINVALID, "unknown scope %q: use Mastodon's scopes, like read, write, follow, profile, admin:read, admin:write, read:accounts or write:favourites", f)
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, app.Errorf(app.EINVALID, "name at least one scope, e.g. read")
	}
	return out, nil
}

// String is the scopes separated by spaces, as stored and as OAuth writes
// them.
func (s Scopes) String() string { return strings.Join(s, " ") }

// Allows tells whether s grants required: it holds required itself, or a
// scope above it (write for write:favourites, admin:read for
// admin:read:accounts), or the legacy follow scope for the follow, block
// and mute sub-scopes.
func (s Scopes) Allows(required string) bool {
	if slices.Contains(s, required) {
		return true
	}
	for parent := required; ; {
		i := strings.LastIndexByte(parent, ':')
		if i < 0 {
			break
		}
		parent = parent[:i]
		if slices.Contains(s, parent) {
			return true
		}
	}
	return slices.Contains(s, ScopeFollow) && slices.Contains(followGrants, required)
}

// AllowsAny tells whether s grants at least one of required.
func (s Scopes) AllowsAny(required ...string) bool {
	return slices.ContainsFunc(required, s.Allows)
}

// HasAdmin tells whether s holds any admin scope.
func (s Scopes) HasAdmin() bool {
	return slices.ContainsFunc(s, func(scope string) bool { return strings.HasPrefix(scope, "admin:") })
}
