package federation_test

import (
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
)

func TestLocalUsername(t *testing.T) {
	u := federation.NewURLs("https://plaudit.example/")
	for uri, want := range map[string]string{
		"https://plaudit.example/users/alice":          "alice",
		"https://plaudit.example/users/alice/inbox":    "",
		"https://plaudit.example/users/alice#main-key": "",
		"https://plaudit.example/actor":                "",
		"https://other.example/users/alice":            "",
		"https://plaudit.example/users/":               "",
	} {
		got, ok := u.LocalUsername(uri)
		if got != want || ok != (want != "") {
			t.Errorf("LocalUsername(%q) = %q, %v; want %q", uri, got, ok, want)
		}
	}
	if u.Host() != "plaudit.example" || u.KeyID("bob") != "https://plaudit.example/users/bob#main-key" {
		t.Fatalf("Host %q, KeyID %q", u.Host(), u.KeyID("bob"))
	}
	if !u.IsLocal("https://plaudit.example/objects/1") || u.IsLocal("https://plaudit.example.evil/x") {
		t.Fatal("IsLocal wrong")
	}
}

func TestInstanceActorName(t *testing.T) {
	// No local user can take the instance actor's name: WebFinger would
	// otherwise answer one of them for the other.
	if name, err := app.NormalizeUsername(federation.InstanceActorUsername); err == nil {
		t.Fatalf("NormalizeUsername(%q) = %q, nil: a user could take the instance actor's name", federation.InstanceActorUsername, name)
	}
	tests := []struct {
		name, base, wantAcct string
	}{
		{"plain domain", "https://plaudit.example", "acct:instance.actor@plaudit.example"},
		{"domain with port", "http://127.0.0.1:18151/", "acct:instance.actor@127.0.0.1:18151"},
		{"default domain", "http://localhost:8080", "acct:instance.actor@localhost:8080"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := federation.NewURLs(tc.base).InstanceAcct(); got != tc.wantAcct {
				t.Errorf("InstanceAcct() = %q, want %q", got, tc.wantAcct)
			}
		})
	}
}
