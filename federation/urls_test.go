package federation_test

import (
	"testing"

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
