package as2

import "testing"

func TestSameID(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", "https://m.example/users/a", "https://m.example/users/a", true},
		{"host case", "https://M.Example/users/a", "https://m.example/users/a", true},
		{"scheme case", "HTTPS://m.example/users/a", "https://m.example/users/a", true},
		{"https default port", "https://m.example:443/users/a", "https://m.example/users/a", true},
		{"http default port", "http://m.example:80/users/a", "http://m.example/users/a", true},
		{"other port differs", "https://m.example:8443/users/a", "https://m.example/users/a", false},
		{"https port 80 is not default", "https://m.example:80/users/a", "https://m.example/users/a", false},
		{"empty path is root", "https://m.example", "https://m.example/", true},
		{"path case matters", "https://m.example/users/A", "https://m.example/users/a", false},
		{"fragment matters", "https://m.example/users/a#main-key", "https://m.example/users/a", false},
		{"same fragment", "https://m.example/users/a#main-key", "https://M.example:443/users/a#main-key", true},
		{"query matters", "https://b.example/?author=1", "https://b.example/?author=0", false},
		{"scheme matters", "http://m.example/users/a", "https://m.example/users/a", false},
		{"trailing slash matters", "https://b.example/author/erin/", "https://b.example/author/erin", false},
		{"ipv6 default port", "https://[::1]:443/a", "https://[::1]/a", true},
		{"both empty", "", "", false},
		{"one empty", "https://m.example/a", "", false},
		{"blank", " ", " ", false},
		{"non-URL equal", "as:Public", "as:Public", true},
		{"non-URL differ", "urn:x:1", "urn:x:2", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := SameID(tc.a, tc.b); got != tc.want {
				t.Errorf("SameID(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := SameID(tc.b, tc.a); got != tc.want {
				t.Errorf("SameID is not symmetric for %q, %q", tc.a, tc.b)
			}
		})
	}
}

func TestIsPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"https://www.w3.org/ns/activitystreams#Public", true},
		{"as:Public", true},
		{"Public", true},
		{"https://WWW.W3.ORG:443/ns/activitystreams#Public", true},
		{" as:Public ", true},
		{"https://www.w3.org/ns/activitystreams", false},
		{"https://www.w3.org/ns/activitystreams#public", false},
		{"https://m.example/users/a/followers", false},
		{"public", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.addr, func(t *testing.T) {
			if got := IsPublic(tc.addr); got != tc.want {
				t.Errorf("IsPublic(%q) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}

func TestAnyPublic(t *testing.T) {
	if AnyPublic([]string{"https://m.example/f"}, nil) {
		t.Error("followers-only addressing reported public")
	}
	if !AnyPublic([]string{"https://m.example/f"}, []string{"as:Public"}) {
		t.Error("public in cc not found")
	}
}
