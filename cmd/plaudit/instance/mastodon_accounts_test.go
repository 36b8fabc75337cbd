package instance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	gomastodon "github.com/mattn/go-mastodon"
)

// send makes a request with body of contentType and decodes the JSON
// answer into a map; the status must be want.
func (n *node) send(method, path, token, contentType string, body []byte, header map[string]string, want int) map[string]any {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.base()+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	out := map[string]any{}
	raw := readAll(n.t, resp)
	if resp.StatusCode != want {
		n.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		n.t.Fatalf("%s %s: not a JSON object: %s", method, path, raw)
	}
	return out
}

func multipartBody(t *testing.T, fields map[string]string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), b.Bytes()
}

// TestMastodonAccounts: carol@A finds bob@B by handle (WebFinger with
// resolve, nothing without), reads his account, follows him (a real
// Follow that B accepts) and unfollows (the Undo reaches B), with the
// relationships on the way; lookup finds local and known remote
// accounts; a read token cannot follow.
func TestMastodonAccounts(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	carolToken := a.user("carol")
	bobToken := b.user("bob")
	ctx := context.Background()
	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: carolToken})
	handle := "@bob@" + b.addr

	if res, err := c.Search(ctx, handle, false); err != nil || len(res.Accounts) != 0 {
		t.Fatalf("search of an unknown handle without resolve = %+v, %v", res, err)
	}
	res, err := c.Search(ctx, handle, true)
	if err != nil || len(res.Accounts) != 1 {
		t.Fatalf("search with resolve = %+v, %v", res, err)
	}
	bob := res.Accounts[0]
	if bob.Acct != "bob@"+b.addr || bob.URL == "" || bob.ID == "" {
		t.Fatalf("bob = %+v", bob)
	}
	raw := map[string]any{}
	a.api(http.MethodGet, "/api/v1/accounts/"+string(bob.ID), carolToken, http.StatusOK, &raw)
	checkFields(t, "Account", raw, "testdata/mastodon/account.txt")
	if got, err := c.AccountLookup(ctx, "bob@"+b.addr); err != nil || got.ID != bob.ID {
		t.Fatalf("lookup of bob = %+v, %v", got, err)
	}
	// A status of bob's shows the same account.
	found, err := c.Search(ctx, b.publishNote("bob", bobToken, "bob's note"), true)
	if err != nil || len(found.Statuses) != 1 || found.Statuses[0].Account.ID != bob.ID {
		t.Fatalf("bob's status = %+v, %v", found, err)
	}
	me, err := c.AccountLookup(ctx, "carol")
	if err != nil || me.Acct != "carol" {
		t.Fatalf("lookup of carol = %+v, %v", me, err)
	}
	for _, path := range []string{"/api/v1/accounts/lookup?acct=nobody", "/api/v1/accounts/lookup?acct=nobody@" + b.addr, "/api/v1/accounts/123456789", "/api/v1/accounts/x"} {
		out := map[string]any{}
		a.api(http.MethodGet, path, carolToken, http.StatusNotFound, &out)
		if out["error"] == nil {
			t.Errorf("%s answered %v", path, out)
		}
	}

	rels, err := c.GetAccountRelationships(ctx, []string{string(bob.ID), "999"})
	if err != nil || len(rels) != 1 || rels[0].Following || rels[0].ID != bob.ID {
		t.Fatalf("relationships before = %+v, %v", rels, err)
	}
	a.api(http.MethodPost, "/api/v1/accounts/"+string(bob.ID)+"/follow", a.scopedToken("carol", "read"), http.StatusForbidden, nil)
	if _, err := c.AccountFollow(ctx, bob.ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "carol's follow accepted on B", func() bool {
		return b.followState(a.actor("carol"), b.actor("bob")) == "accepted" && a.followState(a.actor("carol"), b.actor("bob")) == "accepted"
	})
	follow(t, b, "bob", bobToken, a, "carol")
	relsRaw := []map[string]any{}
	a.api(http.MethodGet, "/api/v1/accounts/relationships?id[]="+string(bob.ID), carolToken, http.StatusOK, &relsRaw)
	checkFields(t, "Relationship", relsRaw[0], "testdata/mastodon/relationship.txt")
	if relsRaw[0]["following"] != true || relsRaw[0]["followed_by"] != true || relsRaw[0]["requested"] != false {
		t.Fatalf("relationship after the follows = %v", relsRaw[0])
	}
	if acct, err := c.GetAccount(ctx, me.ID); err != nil || acct.FollowersCount != 1 || acct.FollowingCount != 1 {
		t.Fatalf("carol's account = %+v, %v", acct, err)
	}
	if n := b.count("SELECT COUNT(*) FROM notifications WHERE recipient_uri = ? AND type = 'follow'", b.actor("bob")); n != 1 {
		t.Fatalf("bob has %d follow notifications, want 1", n)
	}
	rel, err := c.AccountUnfollow(ctx, bob.ID)
	if err != nil || rel.Following {
		t.Fatalf("unfollow = %+v, %v", rel, err)
	}
	eventually(t, "the Undo on B", func() bool { return b.followState(a.actor("carol"), b.actor("bob")) == "" })
	// The follow's notification went with it.
	bc := gomastodon.NewClient(&gomastodon.Config{Server: b.base(), AccessToken: bobToken})
	if ns, err := bc.GetNotifications(ctx, nil); err != nil || len(ns) != 0 {
		t.Fatalf("bob's notifications after carol's unfollow = %+v, %v", ns, err)
	}
}

// TestMastodonPosting: carol@A posts from an app; the status reaches her
// follower bob@B; a retry with the same Idempotency-Key answers the same
// status without a second post (another user's same key is theirs);
// bad statuses are refused with 422; her statuses list newest first;
// update_credentials takes JSON, form and multipart and sets the
// weight her favourites flattr with, which B receives.
func TestMastodonPosting(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	carolToken, daveToken := a.user("carol"), a.user("dave")
	bobToken := b.user("bob")
	follow(t, b, "bob", bobToken, a, "carol")
	ctx := context.Background()
	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: carolToken})

	st, err := c.PostStatus(ctx, &gomastodon.Toot{Status: "hello from an app <b>not bold</b>\n\nsee https://example.com/x", Visibility: "public"})
	if err != nil {
		t.Fatal(err)
	}
	if st.Account.Acct != "carol" || !strings.Contains(st.Content, `<a href="https://example.com/x"`) || strings.Contains(st.Content, "<b>") || st.Visibility != "public" {
		t.Fatalf("status = %+v", st)
	}
	eventually(t, "carol's status on B", func() bool {
		return b.count("SELECT COUNT(*) FROM remote_objects WHERE attributed_to = ? AND uri = ?", a.actor("carol"), st.URI) == 1
	})

	form := url.Values{"status": {"once only"}, "visibility": {"private"}}.Encode()
	key := map[string]string{"Idempotency-Key": "k-1"}
	first := a.send(http.MethodPost, "/api/v1/statuses", carolToken, "application/x-www-form-urlencoded", []byte(form), key, http.StatusOK)
	again := a.send(http.MethodPost, "/api/v1/statuses", carolToken, "application/x-www-form-urlencoded", []byte(form), key, http.StatusOK)
	checkFields(t, "Status", first, "testdata/mastodon/status.txt")
	if first["id"] != again["id"] || first["visibility"] != "private" {
		t.Fatalf("the same key answered %v then %v", first["id"], again["id"])
	}
	if n := a.count("SELECT COUNT(*) FROM posts WHERE author_uri = ?", a.actor("carol")); n != 2 {
		t.Fatalf("carol has %d posts, want 2", n)
	}
	// Racing retries with one new key: one post, one answer.
	ids := make(chan any, 6)
	for range 6 {
		go func() {
			req, _ := http.NewRequest(http.MethodPost, a.base()+"/api/v1/statuses", strings.NewReader(`{"status":"raced"}`))
			req.Header.Set("Authorization", "Bearer "+carolToken)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", "k-race")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				ids <- err
				return
			}
			var out map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&out)
			resp.Body.Close()
			ids <- out["id"]
		}()
	}
	seen := map[any]bool{}
	for range 6 {
		seen[<-ids] = true
	}
	if n := a.count("SELECT COUNT(*) FROM posts WHERE author_uri = ? AND content LIKE '%raced%'", a.actor("carol")); n != 1 || len(seen) != 1 {
		t.Fatalf("6 racing posts with one key made %d posts, answered %v", n, seen)
	}
	daves := a.send(http.MethodPost, "/api/v1/statuses", daveToken, "application/json", []byte(`{"status":"dave's","visibility":"unlisted"}`), key, http.StatusOK)
	if daves["id"] == first["id"] {
		t.Fatal("dave's status with carol's key is carol's")
	}
	for name, body := range map[string]string{
		"empty":   `{"status":"  "}`,
		"direct":  `{"status":"psst","visibility":"direct"}`,
		"unknown": `{"status":"x","visibility":"everyone"}`,
		"long":    `{"status":"` + strings.Repeat("a", 501) + `"}`,
		"media":   `{"status":"x","media_ids":"1"}`,
	} {
		out := a.send(http.MethodPost, "/api/v1/statuses", carolToken, "application/json", []byte(body), nil, http.StatusUnprocessableEntity)
		if out["error"] == nil {
			t.Errorf("%s: %v", name, out)
		}
	}
	a.send(http.MethodPost, "/api/v1/statuses", a.scopedToken("carol", "read write:favourites"), "application/json", []byte(`{"status":"x"}`), nil, http.StatusForbidden)

	list, err := c.GetAccountStatuses(ctx, st.Account.ID, nil)
	if err != nil || len(list) != 3 || string(list[1].ID) != first["id"] || list[2].ID != st.ID {
		t.Fatalf("carol's statuses = %v, %v", statusIDs(list), err)
	}
	raced := list[0].ID
	dc := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: daveToken})
	if list, err := dc.GetAccountStatuses(ctx, st.Account.ID, nil); err != nil || len(list) != 2 || list[0].ID != raced || list[1].ID != st.ID {
		t.Fatalf("carol's statuses as dave sees them (not her private one) = %v, %v", statusIDs(list), err)
	}

	name, note := "Carol C.", "I flattr things"
	acct, err := c.AccountUpdate(ctx, &gomastodon.Profile{DisplayName: &name, Note: &note})
	if err != nil || acct.DisplayName != name || !strings.Contains(acct.Note, note) {
		t.Fatalf("update_credentials (form) = %+v, %v", acct, err)
	}
	out := a.send(http.MethodPatch, "/api/v1/accounts/update_credentials", carolToken, "application/json", []byte(`{"locked":true,"plaudit_default_weight":4}`), nil, http.StatusOK)
	checkFields(t, "CredentialAccount", out, "testdata/mastodon/account.txt", "source", "role")
	if out["locked"] != true || out["display_name"] != name || out["plaudit_default_weight"] != float64(4) {
		t.Fatalf("update_credentials (JSON) = %v", out)
	}
	ct, body := multipartBody(t, map[string]string{"locked": "false", "display_name": "Carol"})
	out = a.send(http.MethodPatch, "/api/v1/accounts/update_credentials", carolToken, ct, body, nil, http.StatusOK)
	if out["locked"] != false || out["display_name"] != "Carol" || out["source"].(map[string]any)["plaudit_default_weight"] != float64(4) {
		t.Fatalf("update_credentials (multipart) = %v", out)
	}
	a.send(http.MethodPatch, "/api/v1/accounts/update_credentials", carolToken, "application/json", []byte(`{"plaudit_default_weight":11}`), nil, http.StatusUnprocessableEntity)
	a.send(http.MethodPatch, "/api/v1/accounts/update_credentials", a.scopedToken("carol", "read"), "application/json", []byte(`{"note":"x"}`), nil, http.StatusForbidden)

	// Her favourite now flattrs with weight 4.
	noteURI := b.publishNote("bob", bobToken, "worth four")
	res, err := c.Search(ctx, noteURI, true)
	if err != nil || len(res.Statuses) != 1 {
		t.Fatalf("search = %+v, %v", res, err)
	}
	if _, err := c.Favourite(ctx, res.Statuses[0].ID); err != nil {
		t.Fatal(err)
	}
	eventually(t, "carol's Like of weight 4 on B", func() bool {
		return b.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND thing_uri = ? AND weight = 4", a.actor("carol"), noteURI) == 1
	})
}
