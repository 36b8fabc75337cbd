package discovery_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/federation/discovery"
)

func TestWebFinger(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	e.mustUser(t, "alice")
	aliceJRD := discovery.JRD{
		Subject: "acct:alice@plaudit.example",
		Aliases: []string{"https://plaudit.example/users/alice", "https://plaudit.example/@alice"},
		Links: []discovery.JRDLink{
			{Rel: "self", Type: "application/activity+json", Href: "https://plaudit.example/users/alice"},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: "https://plaudit.example/@alice"},
		},
	}
	instanceJRD := discovery.JRD{
		Subject: "acct:instance.actor@plaudit.example",
		Aliases: []string{"https://plaudit.example/actor"},
		Links: []discovery.JRDLink{
			{Rel: "self", Type: "application/activity+json", Href: "https://plaudit.example/actor"},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: "https://plaudit.example"},
		},
	}
	tests := []struct {
		name       string
		resource   string // "" sends no resource parameter
		wantStatus int
		want       *discovery.JRD
	}{
		{"acct", "acct:alice@plaudit.example", 200, &aliceJRD},
		{"acct upper case", "acct:ALICE@Plaudit.Example", 200, &aliceJRD},
		{"acct with leading @", "acct:@alice@plaudit.example", 200, &aliceJRD},
		{"bare address", "alice@plaudit.example", 200, &aliceJRD},
		{"bare address with @", "@alice@plaudit.example", 200, &aliceJRD},
		{"actor URL", "https://plaudit.example/users/alice", 200, &aliceJRD},
		{"actor URL upper-case host", "https://PLAUDIT.example/users/alice", 200, &aliceJRD},
		{"profile URL", "https://plaudit.example/@alice", 200, &aliceJRD},
		{"spaces around", "  acct:alice@plaudit.example ", 200, &aliceJRD},
		{"instance actor acct", "acct:instance.actor@plaudit.example", 200, &instanceJRD},
		{"instance actor acct upper case", "acct:Instance.Actor@PLAUDIT.example", 200, &instanceJRD},
		{"instance actor bare address", "@instance.actor@plaudit.example", 200, &instanceJRD},
		{"instance actor former name", "acct:plaudit.example@plaudit.example", 200, &instanceJRD},
		{"instance actor on another host", "acct:instance.actor@other.example", 404, nil},
		{"instance actor URL", "https://plaudit.example/actor", 200, &instanceJRD},
		{"wrong host", "acct:alice@other.example", 404, nil},
		{"host suffix", "acct:alice@plaudit.example.evil", 404, nil},
		{"actor URL on another host", "https://other.example/users/alice", 404, nil},
		{"unknown user", "acct:bob@plaudit.example", 404, nil},
		{"invalid username", "acct:al.ice@plaudit.example", 404, nil},
		{"unknown path", "https://plaudit.example/objects/1", 404, nil},
		{"missing resource", "", 400, nil},
		{"no host", "acct:alice", 400, nil},
		{"empty user", "acct:@plaudit.example", 400, nil},
		{"not a resource", "alice", 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := "/.well-known/webfinger"
			if tc.resource != "" {
				target += "?resource=" + url.QueryEscape(tc.resource)
			}
			w := e.do(t, http.MethodGet, target, nil)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", got)
			}
			if tc.want == nil {
				var body struct{ Error string }
				mustDecode(t, w, &body)
				if body.Error == "" {
					t.Errorf("no error message in %s", w.Body)
				}
				return
			}
			if ct := w.Header().Get("Content-Type"); ct != "application/jrd+json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			var got discovery.JRD
			mustDecode(t, w, &got)
			if diff := cmp.Diff(*tc.want, got); diff != "" {
				t.Errorf("JRD (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWebFingerWithPort(t *testing.T) {
	e := newEnv(t, "http://127.0.0.1:8080", nil)
	e.mustUser(t, "alice")
	tests := []struct {
		resource    string
		wantStatus  int
		wantSubject string
	}{
		{"acct:alice@127.0.0.1:8080", 200, "acct:alice@127.0.0.1:8080"},
		{"acct:alice@127.0.0.1", 404, ""},
		{"acct:alice@127.0.0.1:9090", 404, ""},
		{"http://127.0.0.1:8080/users/alice", 200, "acct:alice@127.0.0.1:8080"},
		// Mastodon and GoToSocial check the instance actor by
		// preferredUsername@host, which must be a valid account name.
		{"acct:instance.actor@127.0.0.1:8080", 200, "acct:instance.actor@127.0.0.1:8080"},
		// The former name, with the port in it, still finds the instance
		// actor and tells its current name.
		{"acct:127.0.0.1:8080@127.0.0.1:8080", 200, "acct:instance.actor@127.0.0.1:8080"},
		{"127.0.0.1:8080@127.0.0.1:8080", 200, "acct:instance.actor@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/actor", 200, "acct:instance.actor@127.0.0.1:8080"},
	}
	for _, tc := range tests {
		t.Run(tc.resource, func(t *testing.T) {
			w := e.do(t, http.MethodGet, "/.well-known/webfinger?resource="+url.QueryEscape(tc.resource), nil)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			if tc.wantSubject == "" {
				return
			}
			var got discovery.JRD
			mustDecode(t, w, &got)
			if got.Subject != tc.wantSubject {
				t.Errorf("subject %q, want %q", got.Subject, tc.wantSubject)
			}
		})
	}
}

func TestWebFingerRelFilter(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	e.mustUser(t, "alice")
	w := e.do(t, http.MethodGet, "/.well-known/webfinger?resource=acct:alice@plaudit.example&rel=self", nil)
	var got discovery.JRD
	mustDecode(t, w, &got)
	if len(got.Links) != 1 || got.Links[0].Rel != "self" {
		t.Fatalf("links with rel=self: %+v", got.Links)
	}
	if got.Subject != "acct:alice@plaudit.example" || len(got.Aliases) != 2 {
		t.Errorf("rel filtered more than the links: %+v", got)
	}
}

func TestCORSPreflight(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	for _, path := range []string{"/.well-known/webfinger", "/.well-known/host-meta", "/.well-known/nodeinfo", "/nodeinfo/2.1"} {
		t.Run(path, func(t *testing.T) {
			w := e.do(t, http.MethodOptions, path, http.Header{"Origin": {"https://app.example"}, "Access-Control-Request-Method": {"GET"}})
			if w.Code != http.StatusNoContent {
				t.Fatalf("status %d", w.Code)
			}
			if w.Header().Get("Access-Control-Allow-Origin") != "*" || w.Header().Get("Access-Control-Allow-Methods") == "" {
				t.Errorf("headers %v", w.Header())
			}
		})
	}
}
