package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/web"
)

// FuzzNormalizeServer: whatever a visitor types, an accepted server is an
// http(s) origin (no user, path, query or fragment) that normalizes to
// itself, so /flattr/elsewhere only ever redirects to <origin>/flattr.
func FuzzNormalizeServer(f *testing.F) {
	for _, s := range []string{
		"their.example", "@carol@their.example", "carol@Their.Example", "http://127.0.0.1:18501/", "https://their.example/x",
		"javascript:alert(1)", "https://a@b.example", "//evil.example", "https://their.example?x=1", "https://[::1]:8080", " their.example ", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		o, err := web.NormalizeServer(in)
		if err != nil {
			return
		}
		u, perr := url.Parse(o)
		if perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			t.Fatalf("NormalizeServer(%q) = %q: not an origin", in, o)
		}
		if strings.ContainsAny(u.Host, "/\\?#@ ") {
			t.Fatalf("NormalizeServer(%q) = %q: host %q", in, o, u.Host)
		}
		if again, err := web.NormalizeServer(o); err != nil || again != o {
			t.Fatalf("NormalizeServer(%q) = %q, then %q, %v", in, o, again, err)
		}
	})
}
