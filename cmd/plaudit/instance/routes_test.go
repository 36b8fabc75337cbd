package instance_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestWebMountsFederationRoutes: with everything wired, the web layer
// serves the federation documents it mounts: /users/:name negotiates
// between the profile page and the Person, discovery documents are
// readable from any origin, and the instance actor answers.
func TestWebMountsFederationRoutes(t *testing.T) {
	n := startNode(t, "a")
	n.user("alice")
	tests := []struct {
		name, method, path, accept string
		status                     int
		contentType, body, header  string
	}{
		{"profile page for browsers", "GET", "/users/alice", "text/html", 200, "text/html", "alice", "Vary"},
		{"person for servers", "GET", "/users/alice", "application/activity+json", 200, "application/activity+json", `"preferredUsername":"alice"`, "Vary"},
		{"instance actor", "GET", "/actor", "application/activity+json", 200, "application/activity+json", `"Application"`, ""},
		{"followers collection", "GET", "/users/alice/followers", "application/activity+json", 200, "application/activity+json", `"OrderedCollection"`, ""},
		{"webfinger with CORS", "GET", "/.well-known/webfinger?resource=acct:alice@" + n.addr, "", 200, "application/jrd+json", `"subject":"acct:alice@`, "Access-Control-Allow-Origin"},
		{"nodeinfo preflight", "OPTIONS", "/nodeinfo/2.1", "", 204, "", "", "Access-Control-Allow-Methods"},
		{"unknown user", "GET", "/users/nobody", "application/activity+json", 404, "application/json", "no such user", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, n.base()+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Fatalf("%s %s = %d, want %d: %s", tt.method, tt.path, resp.StatusCode, tt.status, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tt.contentType)
			}
			if !strings.Contains(string(body), tt.body) {
				t.Errorf("body lacks %q: %s", tt.body, body)
			}
			if tt.header != "" && resp.Header.Get(tt.header) == "" {
				t.Errorf("no %s header", tt.header)
			}
		})
	}
}
