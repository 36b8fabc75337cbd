package discovery_test

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/discovery"
)

func TestNodeInfoLinks(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	w := e.do(t, http.MethodGet, "/.well-known/nodeinfo", nil)
	var got struct{ Links []struct{ Rel, Href string } }
	mustDecode(t, w, &got)
	want := map[string]string{
		"http://nodeinfo.diaspora.software/ns/schema/2.1": "https://plaudit.example/nodeinfo/2.1",
		"http://nodeinfo.diaspora.software/ns/schema/2.0": "https://plaudit.example/nodeinfo/2.0",
	}
	gotMap := map[string]string{}
	for _, l := range got.Links {
		gotMap[l.Rel] = l.Href
	}
	if diff := cmp.Diff(want, gotMap); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if w.Header().Get("Access-Control-Allow-Origin") != "*" {
		t.Error("no CORS header")
	}
}

// TestNodeInfoSchema checks the documents' keys against the NodeInfo 2.0
// and 2.1 schemas (2.0 allows no software links) and the profile content type.
func TestNodeInfoSchema(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", nil)
	tests := []struct {
		path, version, contentType string
		softwareKeys               []string
	}{
		{"/nodeinfo/2.1", "2.1", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`,
			[]string{"homepage", "name", "repository", "version"}},
		{"/nodeinfo/2.0", "2.0", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.0#"`,
			[]string{"name", "version"}},
	}
	for _, tc := range tests {
		t.Run(tc.version, func(t *testing.T) {
			w := e.do(t, http.MethodGet, tc.path, nil)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if ct := w.Header().Get("Content-Type"); ct != tc.contentType {
				t.Errorf("Content-Type = %q, want %q", ct, tc.contentType)
			}
			var doc map[string]any
			mustDecode(t, w, &doc)
			if diff := cmp.Diff([]string{"metadata", "openRegistrations", "protocols", "services", "software", "usage", "version"}, keys(doc)); diff != "" {
				t.Errorf("top-level keys (-want +got):\n%s", diff)
			}
			if doc["version"] != tc.version {
				t.Errorf("version %v", doc["version"])
			}
			sw := doc["software"].(map[string]any)
			if diff := cmp.Diff(tc.softwareKeys, keys(sw)); diff != "" {
				t.Errorf("software keys (-want +got):\n%s", diff)
			}
			if sw["name"] != "plaudit" || sw["version"] != "1.2.3" {
				t.Errorf("software %v", sw)
			}
			if diff := cmp.Diff([]any{"activitypub"}, doc["protocols"]); diff != "" {
				t.Errorf("protocols: %s", diff)
			}
			if diff := cmp.Diff(map[string]any{"inbound": []any{}, "outbound": []any{}}, doc["services"]); diff != "" {
				t.Errorf("services: %s", diff)
			}
			if doc["openRegistrations"] != true {
				t.Errorf("openRegistrations %v", doc["openRegistrations"])
			}
			wantMeta := map[string]any{
				"nodeName": "plaudit.example",
				"plaudit": map[string]any{
					"settles": true, "protocolVersion": float64(2), "currency": "EUR",
					"instanceActor": "https://plaudit.example/actor", "instanceInbox": "https://plaudit.example/actor/inbox",
					"flattrs": "Like activities with Plaudit weight terms (https://w3id.org/plaudit#), paid out monthly and settled between instances by signed statements; see docs/federation.md#flattrs",
				},
			}
			if diff := cmp.Diff(wantMeta, doc["metadata"]); diff != "" {
				t.Errorf("metadata (-want +got):\n%s", diff)
			}
		})
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestNodeInfoUsage counts users active through sessions, API tokens and
// local activities within 30 and 180 days, and local posts.
func TestNodeInfoUsage(t *testing.T) {
	e := newEnv(t, "https://plaudit.example", func(d *discovery.Deps) { d.SignupOpen = false })
	ctx := context.Background()
	now := time.Now().UTC()
	days := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }

	session := func(u *app.User, seen time.Time) {
		t.Helper()
		s := &app.Session{TokenHash: u.Username + seen.String(), UserID: u.ID, CreatedAt: seen, ExpiresAt: now.Add(time.Hour), LastSeenAt: seen}
		if err := e.store.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	activity := func(uri, typ, actor string, local bool, at time.Time) {
		t.Helper()
		a := &app.Activity{URI: uri, Type: typ, ActorURI: actor, Local: local, Document: "{}", State: app.ActivityPublished, CreatedAt: at}
		if _, err := e.store.InsertActivity(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	session(e.mustUser(t, "recent"), days(1))  // month and half-year
	session(e.mustUser(t, "spring"), days(90)) // half-year
	session(e.mustUser(t, "gone"), days(200))  // neither
	e.mustUser(t, "silent")                    // neither
	e.mustUser(t, "dd")                        // must not match the actor "d"
	tokenUser := e.mustUser(t, "apiuser")      // month and half-year
	used := days(10)
	if err := e.store.CreateAPIToken(ctx, &app.APIToken{UserID: tokenUser.ID, Name: "t", TokenHash: "h", CreatedAt: days(20), LastUsedAt: &used}); err != nil {
		t.Fatal(err)
	}
	e.mustUser(t, "poster") // half-year, by a local activity 100 days ago
	activity("https://plaudit.example/activities/1", "Create", e.urls.Actor("poster"), true, days(100))
	activity("https://plaudit.example/activities/2", "Create", e.urls.Actor("poster"), true, days(200))
	activity("https://plaudit.example/activities/3", "Like", e.urls.Actor("d"), true, days(1))
	activity("https://other.example/activities/4", "Create", "https://other.example/users/silent", false, days(1))

	w := e.do(t, http.MethodGet, "/nodeinfo/2.1", nil)
	var got discovery.NodeInfo
	mustDecode(t, w, &got)
	want := discovery.Usage{Users: discovery.UsageUsers{Total: 7, ActiveMonth: 2, ActiveHalfyear: 4}, LocalPosts: 2}
	if diff := cmp.Diff(want, got.Usage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	if got.OpenRegistrations {
		t.Error("openRegistrations with sign-up not open")
	}
}

// TestNodeInfoUsageCached serves counts from the cache until UsageTTL
// passes.
func TestNodeInfoUsageCached(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Now()
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, "https://plaudit.example", func(d *discovery.Deps) { d.UsageTTL = time.Minute; d.Now = clock })
	total := func() int64 {
		var got discovery.NodeInfo
		mustDecode(t, e.do(t, http.MethodGet, "/nodeinfo/2.1", nil), &got)
		return got.Usage.Users.Total
	}
	e.mustUser(t, "a")
	first := total()
	e.mustUser(t, "b")
	second := total()
	mu.Lock()
	now = now.Add(2 * time.Minute)
	mu.Unlock()
	third := total()
	if got := []int64{first, second, third}; !slices.Equal(got, []int64{1, 1, 2}) {
		t.Errorf("totals %v, want [1 1 2] (cached, then refreshed)", got)
	}
}
