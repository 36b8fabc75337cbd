package instance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	gomastodon "github.com/mattn/go-mastodon"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// apiRaw calls the node's API and returns the answer's status, headers
// and body.
func (n *node) apiRaw(method, path, token string) (int, http.Header, []byte) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.base()+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body
}

// scopedToken is a token of username's with only scopes.
func (n *node) scopedToken(username, scopes string) string {
	n.t.Helper()
	sc, err := accounts.ParseScopes(scopes)
	if err != nil {
		n.t.Fatal(err)
	}
	secret, _, err := n.inst.TestAccounts().IssueToken(context.Background(), accounts.TokenRequest{Username: username, Scopes: sc})
	if err != nil {
		n.t.Fatal(err)
	}
	return secret
}

// thingID is the id of the thing uri on n, once it exists.
func (n *node) thingID(uri string) string {
	n.t.Helper()
	var id int64
	eventually(n.t, "thing "+uri+" on "+n.name, func() bool {
		n.inst.TestStore().DB().Raw("SELECT id FROM things WHERE uri = ?", uri).Scan(&id)
		return id != 0
	})
	return fmt.Sprint(id)
}

func statusIDs(list []*gomastodon.Status) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = string(s.ID)
	}
	return out
}

func rawIDs(t *testing.T, body []byte) []string {
	t.Helper()
	var list []map[string]any
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatalf("not a JSON list: %s", body)
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i], _ = s["id"].(string)
	}
	return out
}

// TestHomeTimeline: carol@A follows bob@B and dave@A; bob's posts arrive
// by Create and join her home timeline with her own and dave's (public
// and followers-only), newest first, but not erin's (not followed) nor
// dave's direct message to erin. The pages follow Mastodon's max_id,
// since_id and min_id, through go-mastodon's Link-header paging and by
// hand; a status from the timeline can be favourited; a token without
// read:statuses is refused.
func TestHomeTimeline(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	carolToken, daveToken, erinToken := a.user("carol"), a.user("dave"), a.user("erin")
	bobToken := b.user("bob")
	follow(t, a, "carol", carolToken, b, "bob")
	follow(t, a, "carol", carolToken, a, "dave")

	var bob []string
	for i := 1; i <= 3; i++ {
		createID := b.post("bob", bobToken, note(fmt.Sprintf("<p>bob says %d</p>", i), public, b.actor("bob")+"/followers"))
		var uri string
		b.inst.TestStore().DB().Raw("SELECT object_uri FROM activities WHERE uri = ?", createID).Scan(&uri)
		bob = append(bob, a.thingID(uri))
	}
	dave := a.thingID(a.publishNote("dave", daveToken, "dave in public"))
	carol := a.thingID(a.publishNote("carol", carolToken, "carol's own"))
	a.publishNote("erin", erinToken, "erin, whom carol does not follow")
	a.thingID(a.publishNoteTo("dave", daveToken, "for erin only", a.actor("erin")))
	daveFollowers := a.thingID(a.publishNoteTo("dave", daveToken, "for dave's followers", a.actor("dave")+"/followers"))
	want := []string{daveFollowers, carol, dave, bob[2], bob[1], bob[0]}

	ctx := context.Background()
	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: carolToken})
	pg := &gomastodon.Pagination{Limit: 4}
	first, err := c.GetTimelineHome(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	if got := statusIDs(first); fmt.Sprint(got) != fmt.Sprint(want[:4]) {
		t.Fatalf("first page = %v, want %v", got, want[:4])
	}
	if pg.MaxID != gomastodon.ID(bob[2]) {
		t.Fatalf("next page from %q, want max_id %s", pg.MaxID, bob[2])
	}
	second, err := c.GetTimelineHome(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	if got := statusIDs(second); fmt.Sprint(got) != fmt.Sprint(want[4:]) {
		t.Fatalf("second page = %v, want %v", got, want[4:])
	}
	if third, err := c.GetTimelineHome(ctx, pg); err != nil || len(third) != 0 {
		t.Fatalf("third page = %v, %v", statusIDs(third), err)
	}
	if first[3].Account.Acct != "bob@"+b.addr || !strings.Contains(first[3].Content, "bob says 3") || first[3].URI == "" {
		t.Fatalf("bob's status = %+v", first[3])
	}
	if first[2].Account.Acct != "dave" || !strings.Contains(first[2].Content, "dave in public") {
		t.Fatalf("dave's status = %+v", first[2])
	}

	status, header, body := a.apiRaw(http.MethodGet, "/api/v1/timelines/home?limit=2&min_id="+bob[0], carolToken)
	if got := rawIDs(t, body); status != http.StatusOK || fmt.Sprint(got) != fmt.Sprint([]string{bob[2], bob[1]}) {
		t.Fatalf("min_id page = %d %v", status, got)
	}
	link := header.Get("Link")
	if !strings.Contains(link, "max_id="+bob[1]+`>; rel="next"`) || !strings.Contains(link, "min_id="+bob[2]+`>; rel="prev"`) || !strings.Contains(link, "limit=2") {
		t.Fatalf("Link = %s", link)
	}
	_, _, body = a.apiRaw(http.MethodGet, "/api/v1/timelines/home?since_id="+dave, carolToken)
	if got := rawIDs(t, body); fmt.Sprint(got) != fmt.Sprint(want[:2]) {
		t.Fatalf("since_id page = %v, want %v", got, want[:2])
	}
	raw := []map[string]any{}
	a.api(http.MethodGet, "/api/v1/timelines/home?limit=1&max_id="+bob[1], carolToken, http.StatusOK, &raw)
	checkFields(t, "Status", raw[0], "testdata/mastodon/status.txt")
	checkFields(t, "Account", raw[0]["account"].(map[string]any), "testdata/mastodon/account.txt")

	if _, err := c.Favourite(ctx, gomastodon.ID(bob[1])); err != nil {
		t.Fatal(err)
	}
	second, err = c.GetTimelineHome(ctx, &gomastodon.Pagination{MaxID: gomastodon.ID(bob[2])})
	if err != nil || len(second) != 2 || !second[0].Favourited.(bool) || second[1].Favourited.(bool) {
		t.Fatalf("after favouriting bob's second post: %+v, %v", second, err)
	}

	out := map[string]any{}
	a.api(http.MethodGet, "/api/v1/timelines/home", a.scopedToken("carol", "read:favourites"), http.StatusForbidden, &out)
	if out["error"] == nil {
		t.Fatalf("403 without an error: %v", out)
	}
	a.api(http.MethodGet, "/api/v1/timelines/home", "", http.StatusUnauthorized, &out)
	a.api(http.MethodGet, "/api/v1/timelines/home", a.scopedToken("carol", "read:statuses"), http.StatusOK, nil)
}

// publishNoteTo posts a Note of username's to audience and returns its id.
func (n *node) publishNoteTo(username, token, content string, audience ...string) string {
	n.t.Helper()
	createID := n.post(username, token, note(content, audience...))
	var objectURI string
	n.inst.TestStore().DB().Raw("SELECT object_uri FROM activities WHERE uri = ?", createID).Scan(&objectURI)
	return objectURI
}

// TestNotifications: bob@B gets carol@A's follow and her favourite (a
// flattr of weight 1) as notifications; dave@A gets carol's local follow
// and her flattr of weight 3, whose weight change shows and whose undo
// removes it; types and exclude_types filter; pages by Link header.
func TestNotifications(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	carolToken, daveToken := a.user("carol"), a.user("dave")
	bobToken := b.user("bob")
	follow(t, a, "carol", carolToken, b, "bob")
	follow(t, a, "carol", carolToken, a, "dave")
	noteURI := b.publishNote("bob", bobToken, "flattr me")
	ctx := context.Background()

	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: carolToken})
	res, err := c.Search(ctx, noteURI, true)
	if err != nil || len(res.Statuses) != 1 {
		t.Fatalf("search = %+v, %v", res, err)
	}
	if _, err := c.Favourite(ctx, res.Statuses[0].ID); err != nil {
		t.Fatal(err)
	}
	month := app.MonthOf(time.Now())

	bc := gomastodon.NewClient(&gomastodon.Config{Server: b.base(), AccessToken: bobToken})
	var ns []*gomastodon.Notification
	eventually(t, "bob's two notifications", func() bool {
		ns, err = bc.GetNotifications(ctx, nil)
		return err == nil && len(ns) == 2
	})
	if ns[0].Type != "favourite" || ns[0].Account.Acct != "carol@"+a.addr || ns[0].Status == nil || ns[0].Status.URI != noteURI {
		t.Fatalf("bob's newest notification = %+v", ns[0])
	}
	if ns[1].Type != "follow" || ns[1].Account.Acct != "carol@"+a.addr {
		t.Fatalf("bob's oldest notification = %+v", ns[1])
	}
	raw := []map[string]any{}
	b.api(http.MethodGet, "/api/v1/notifications", bobToken, http.StatusOK, &raw)
	checkFields(t, "Notification", raw[0], "testdata/mastodon/notification.txt", "status")
	checkFields(t, "Notification", raw[1], "testdata/mastodon/notification.txt")
	checkFields(t, "Account", raw[0]["account"].(map[string]any), "testdata/mastodon/account.txt")
	checkFields(t, "Status", raw[0]["status"].(map[string]any), "testdata/mastodon/status.txt")
	if raw[0]["plaudit_weight"] != float64(1) || raw[0]["plaudit_month"] != month || raw[1]["plaudit_weight"] != nil {
		t.Fatalf("bob's notifications = %v", raw)
	}

	// On A: dave's follow from carol, then her flattr of his post.
	daveNote := a.publishNote("dave", daveToken, "dave's post")
	var f flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": daveNote, "weight": 3}, http.StatusCreated, &f)
	raw = nil
	a.api(http.MethodGet, "/api/v1/notifications", daveToken, http.StatusOK, &raw)
	if len(raw) != 2 || raw[0]["type"] != "favourite" || raw[0]["plaudit_weight"] != float64(3) || raw[1]["type"] != "follow" ||
		raw[1]["account"].(map[string]any)["acct"] != "carol" || raw[0]["status"].(map[string]any)["uri"] != daveNote {
		t.Fatalf("dave's notifications = %v", raw)
	}
	a.apiJSON(http.MethodPatch, "/api/v1/flattrs/"+f.ID, carolToken, map[string]any{"weight": 5}, http.StatusOK, nil)
	raw = nil
	a.api(http.MethodGet, "/api/v1/notifications?types[]=favourite", daveToken, http.StatusOK, &raw)
	if len(raw) != 1 || raw[0]["plaudit_weight"] != float64(5) {
		t.Fatalf("dave's favourites after the change = %v", raw)
	}
	raw = nil
	a.api(http.MethodGet, "/api/v1/notifications?exclude_types[]=favourite", daveToken, http.StatusOK, &raw)
	if len(raw) != 1 || raw[0]["type"] != "follow" {
		t.Fatalf("dave's notifications but favourites = %v", raw)
	}
	status, header, body := a.apiRaw(http.MethodGet, "/api/v1/notifications?limit=1", daveToken)
	ids := rawIDs(t, body)
	if status != http.StatusOK || len(ids) != 1 || !strings.Contains(header.Get("Link"), "max_id="+ids[0]+`>; rel="next"`) {
		t.Fatalf("first page = %d %v, Link %s", status, ids, header.Get("Link"))
	}
	_, _, body = a.apiRaw(http.MethodGet, "/api/v1/notifications?limit=1&max_id="+ids[0], daveToken)
	if older := rawIDs(t, body); len(older) != 1 || older[0] >= ids[0] && len(older[0]) == len(ids[0]) {
		t.Fatalf("page after %s = %v", ids[0], older)
	}
	a.api(http.MethodDelete, "/api/v1/flattrs/"+f.ID, carolToken, http.StatusOK, nil)
	raw = nil
	a.api(http.MethodGet, "/api/v1/notifications", daveToken, http.StatusOK, &raw)
	if len(raw) != 1 || raw[0]["type"] != "follow" {
		t.Fatalf("dave's notifications after the undo = %v", raw)
	}
	if n := a.count("SELECT COUNT(*) FROM notifications WHERE recipient_uri = ?", a.actor("carol")); n != 0 {
		t.Fatalf("carol, who was flattred by no one and followed by no one, has %d notifications", n)
	}
	a.api(http.MethodGet, "/api/v1/notifications", a.scopedToken("dave", "read:statuses"), http.StatusForbidden, nil)
}
