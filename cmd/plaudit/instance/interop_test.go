package instance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation/as2"
	"github.com/plaudit/plaudit/federation/discovery"
)

// The account-name rules of the servers that check Plaudit's WebFinger
// subjects, written from their sources:
//   - GoToSocial (internal/regexes, util.ExtractWebfingerParts): the subject
//     parses as a URI with scheme "acct"; its opaque part must match
//     "@name@host" where the name is letters (with their marks), digits,
//     '.', '-' and '_', and the host the same with ':' instead of '_'.
//   - Mastodon (Account::USERNAME_ONLY_RE): letters, digits and '_', with
//     '.' and '-' allowed only inside, case-insensitively.
var (
	gtsNamestring = regexp.MustCompile(`^@((?:\p{L}\p{M}*|\p{N}|\.|\-|_)+)@((?:\p{L}\p{M}*|\p{N}|\.|\-|:)+)$`)
	mastodonName  = regexp.MustCompile(`(?i)^[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?$`)
)

// parseSubject splits a WebFinger subject into user and host as
// GoToSocial and Mastodon do, and fails where either would refuse it.
func parseSubject(subject string) (user, host string, err error) {
	u, err := url.ParseRequestURI(subject)
	if err != nil || u.Scheme != "acct" {
		return "", "", fmt.Errorf("%q is not an acct: URI (%v)", subject, err)
	}
	m := gtsNamestring.FindStringSubmatch("@" + strings.TrimLeft(u.Opaque, "@"))
	if m == nil {
		return "", "", fmt.Errorf("GoToSocial refuses %q", subject)
	}
	if !mastodonName.MatchString(m[1]) {
		return "", "", fmt.Errorf("Mastodon refuses the username %q", m[1])
	}
	return m[1], m[2], nil
}

// TestParseSubject: the validator refuses what GoToSocial and Mastodon
// refuse, the former instance actor name with a port included.
func TestParseSubject(t *testing.T) {
	tests := []struct {
		subject        string
		wantUser, host string // "" user: refused
	}{
		{"acct:alice@plaudit.example", "alice", "plaudit.example"},
		{"acct:instance.actor@127.0.0.1:18151", "instance.actor", "127.0.0.1:18151"},
		{"acct:mastodon.internal@localhost:3000", "mastodon.internal", "localhost:3000"},
		{"acct:127.0.0.1:18151@127.0.0.1:18151", "", ""},
		{"acct:localhost:8080@localhost:8080", "", ""},
		{"acct:.hidden@plaudit.example", "", ""}, // GoToSocial takes it, Mastodon does not
		{"acct:a b@plaudit.example", "", ""},
		{"acct:alice", "", ""},
		{"https://plaudit.example/actor", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.subject, func(t *testing.T) {
			user, host, err := parseSubject(tc.subject)
			if tc.wantUser == "" {
				if err == nil {
					t.Fatalf("parseSubject(%q) = %q, %q; want refused", tc.subject, user, host)
				}
				return
			}
			if err != nil || user != tc.wantUser || host != tc.host {
				t.Fatalf("parseSubject(%q) = %q, %q, %v; want %q, %q", tc.subject, user, host, err, tc.wantUser, tc.host)
			}
		})
	}
}

// getJSON GETs url unsigned with accept and decodes a 200 answer into out.
func getJSON(t *testing.T, rawURL, accept string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d %s", rawURL, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("GET %s: %v", rawURL, err)
	}
}

// webfinger asks n about resource and returns the answer.
func (n *node) webfinger(resource string) discovery.JRD {
	n.t.Helper()
	var jrd discovery.JRD
	getJSON(n.t, n.base()+"/.well-known/webfinger?resource="+url.QueryEscape(resource), "application/jrd+json", &jrd)
	return jrd
}

// checkInstanceActor checks n's instance actor as GoToSocial does when
// that actor signs a GET: it fetches the actor, WebFingers
// acct:preferredUsername@host and parses the subject, which must name the
// same account and link back to the actor.
func checkInstanceActor(t *testing.T, n *node) {
	t.Helper()
	var doc map[string]any
	getJSON(t, n.base()+"/actor", "application/activity+json", &doc)
	raw, _ := json.Marshal(doc)
	actor, err := as2.ParseActor(raw)
	if err != nil {
		t.Fatal(err)
	}
	// The ids signatures name did not move with the rename.
	if actor.ID != n.base()+"/actor" || actor.PublicKey.ID != n.base()+"/actor#main-key" {
		t.Fatalf("%s: instance actor %s with key %s", n.name, actor.ID, actor.PublicKey.ID)
	}
	jrd := n.webfinger("acct:" + actor.PreferredUsername + "@" + n.addr)
	user, host, err := parseSubject(jrd.Subject)
	if err != nil {
		t.Fatalf("%s: the instance actor's WebFinger subject: %v", n.name, err)
	}
	if !strings.EqualFold(user, actor.PreferredUsername) || host != n.addr {
		t.Errorf("%s: subject %q names %s@%s, want %s@%s", n.name, jrd.Subject, user, host, actor.PreferredUsername, n.addr)
	}
	if self := selfLink(jrd); self != actor.ID {
		t.Errorf("%s: self link %q, want %q", n.name, self, actor.ID)
	}
	// A server that stored the former name, the domain with its port,
	// is told the current one.
	if old := n.webfinger("acct:" + n.addr + "@" + n.addr); old.Subject != jrd.Subject || selfLink(old) != actor.ID {
		t.Errorf("%s: the former name answers %q → %q, want %q → %q", n.name, old.Subject, selfLink(old), jrd.Subject, actor.ID)
	}
}

func selfLink(jrd discovery.JRD) string {
	for _, l := range jrd.Links {
		if l.Rel == discovery.RelSelf && l.Type == discovery.ActivityJSON {
			return l.Href
		}
	}
	return ""
}

// TestInstanceActorNameAndSignedFetch: on domains with ports, each
// instance actor's WebFinger subject is an account name GoToSocial and
// Mastodon accept, and a GET signed by one instance actor is verified by
// the other instance (in authorized-fetch mode, so unsigned GETs fail).
func TestInstanceActorNameAndSignedFetch(t *testing.T) {
	secure := func(c *configs.Config) { c.Federation.AuthorizedFetch = true }
	a, b := startNodeWith(t, "A", secure), startNodeWith(t, "B", secure)
	tokens := map[*node]string{a: a.user("alice"), b: b.user("bob")}
	users := map[*node]string{a: "alice", b: "bob"}
	for _, n := range []*node{a, b} {
		if !strings.Contains(n.addr, ":") {
			t.Fatalf("%s's domain %q has no port: the test would prove nothing", n.name, n.addr)
		}
		checkInstanceActor(t, n)
	}
	for _, pair := range [][2]*node{{a, b}, {b, a}} {
		fetcher, owner := pair[0], pair[1]
		t.Run(fetcher.name+" fetches from "+owner.name, func(t *testing.T) {
			createID := owner.post(users[owner], tokens[owner], note("signed fetches only", public))
			var noteID string
			owner.inst.TestStore().DB().Raw("SELECT object_uri FROM activities WHERE uri = ?", createID).Scan(&noteID)
			if noteID == "" {
				t.Fatalf("no object for %s", createID)
			}
			req, _ := http.NewRequest(http.MethodGet, noteID, nil)
			req.Header.Set("Accept", "application/activity+json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Fatalf("unsigned GET of %s = %d, want 401 (authorized fetch)", noteID, resp.StatusCode)
			}
			o, err := fetcher.inst.TestFetcher().Object(context.Background(), noteID)
			if err != nil {
				t.Fatalf("%s's signed GET of %s: %v", fetcher.name, noteID, err)
			}
			if o.AttributedTo != owner.actor(users[owner]) {
				t.Errorf("fetched note attributed to %s", o.AttributedTo)
			}
			// The owner verified the signature with the key of the renamed
			// instance actor, fetched from its unchanged id.
			if n := owner.count("SELECT COUNT(*) FROM remote_actors WHERE uri = ? AND key_id = ? AND preferred_username = 'instance.actor'",
				fetcher.base()+"/actor", fetcher.base()+"/actor#main-key"); n != 1 {
				t.Errorf("%s holds %d copies of %s's instance actor named instance.actor with its key, want 1", owner.name, n, fetcher.name)
			}
		})
	}
}

// TestOutboxReportsADownInstance: following an actor whose instance is
// down is answered 502 with what failed, and nothing is stored.
func TestOutboxReportsADownInstance(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	token := a.user("alice")
	b.user("bob")
	b.stop()
	body := strings.NewReader(`{"type":"Follow","object":"` + b.actor("bob") + `"}`)
	req, _ := http.NewRequest(http.MethodPost, a.actor("alice")+"/outbox", body)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct{ Error string }
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	want := "fetching " + b.actor("bob") + " failed: could not connect to its server"
	if resp.StatusCode != http.StatusBadGateway || answer.Error != want {
		t.Fatalf("Follow of an actor on a stopped instance = %d %q, want 502 %q", resp.StatusCode, answer.Error, want)
	}
	for _, table := range []string{"activities", "follows", "deliveries", "remote_actors"} {
		if n := a.count("SELECT COUNT(*) FROM " + table); n != 0 {
			t.Errorf("%d rows in %s after the refused Follow, want 0", n, table)
		}
	}
}
