package accounts_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

func TestParseScopes(t *testing.T) {
	for name, tc := range map[string]struct {
		in       string
		want     accounts.Scopes
		wantCode string
	}{
		"spaces, as OAuth writes them":  {"read write follow", accounts.Scopes{"read", "write", "follow"}, ""},
		"commas, as the CLI takes them": {"read,write:favourites", accounts.Scopes{"read", "write:favourites"}, ""},
		"mixed with extra spaces":       {" read:accounts ,  profile ", accounts.Scopes{"read:accounts", "profile"}, ""},
		"duplicates dropped":            {"read read,read", accounts.Scopes{"read"}, ""},
		"admin scopes":                  {"admin:read admin:write:domain_blocks", accounts.Scopes{"admin:read", "admin:write:domain_blocks"}, ""},
		"push":                          {"push", accounts.Scopes{"push"}, ""},
		"unknown scope":                 {"read delete", nil, app.EINVALID},
		"unknown sub-scope":             {"read:everything", nil, app.EINVALID},
		"bare admin":                    {"admin", nil, app.EINVALID},
		"upper case":                    {"READ", nil, app.EINVALID},
		"empty":                         {"", nil, app.EINVALID},
		"only separators":               {" , ,", nil, app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := accounts.ParseScopes(tc.in)
			if app.ErrorCode(err) != tc.wantCode {
				t.Fatalf("ParseScopes(%q) error = %v, want code %q", tc.in, err, tc.wantCode)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseScopes(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}

func TestScopesStringRoundTrips(t *testing.T) {
	s := accounts.Scopes{"read", "write:favourites", "admin:read"}
	if got := s.String(); got != "read write:favourites admin:read" {
		t.Fatalf("String() = %q", got)
	}
	back, err := accounts.ParseScopes(s.String())
	if err != nil || !cmp.Equal(back, s) {
		t.Fatalf("ParseScopes(String()) = %v, %v; want %v", back, err, s)
	}
}

func TestScopesAllows(t *testing.T) {
	for name, tc := range map[string]struct {
		held     string
		required string
		want     bool
	}{
		"exact top-level":                  {"read", "read", true},
		"top-level grants its sub-scope":   {"write", "write:favourites", true},
		"read grants read:accounts":        {"read", "read:accounts", true},
		"exact sub-scope":                  {"write:favourites", "write:favourites", true},
		"sub-scope does not grant parent":  {"read:accounts", "read", false},
		"sub-scope does not grant sibling": {"read:accounts", "read:statuses", false},
		"read does not grant write":        {"read", "write:accounts", false},
		"write does not grant read":        {"write", "read:accounts", false},
		"write does not grant admin:write": {"write", "admin:write", false},
		"read does not grant admin:read":   {"read", "admin:read", false},
		"admin:read grants its sub-scopes": {"admin:read", "admin:read:accounts", true},
		"admin:read does not grant write":  {"admin:read", "admin:write", false},
		"admin:write does not grant read":  {"admin:write", "admin:read", false},
		"admin sub-scope not the parent":   {"admin:write:domain_blocks", "admin:write", false},
		"follow grants read:follows":       {"follow", "read:follows", true},
		"follow grants write:follows":      {"follow", "write:follows", true},
		"follow grants write:blocks":       {"follow", "write:blocks", true},
		"follow does not grant statuses":   {"follow", "write:statuses", false},
		"follow does not grant write":      {"follow", "write", false},
		"write grants write:follows":       {"write", "write:follows", true},
		"profile is only itself":           {"profile", "read:accounts", false},
		"profile exact":                    {"profile", "profile", true},
		"several held, one fits":           {"read:statuses write:favourites", "write:favourites", true},
		"nothing held":                     {"", "read", false},
	} {
		t.Run(name, func(t *testing.T) {
			var held accounts.Scopes
			if tc.held != "" {
				var err error
				if held, err = accounts.ParseScopes(tc.held); err != nil {
					t.Fatal(err)
				}
			}
			if got := held.Allows(tc.required); got != tc.want {
				t.Errorf("%v.Allows(%q) = %v, want %v", held, tc.required, got, tc.want)
			}
		})
	}
}

func TestScopesAllowsAnyAndHasAdmin(t *testing.T) {
	s := accounts.Scopes{"profile"}
	if !s.AllowsAny("read:accounts", "profile") || s.AllowsAny("read:accounts", "write") {
		t.Errorf("AllowsAny on %v is wrong", s)
	}
	if s.HasAdmin() || !(accounts.Scopes{"read", "admin:read:accounts"}).HasAdmin() {
		t.Error("HasAdmin is wrong")
	}
	if accounts.DefaultScopes.HasAdmin() {
		t.Errorf("DefaultScopes %v hold an admin scope", accounts.DefaultScopes)
	}
}
