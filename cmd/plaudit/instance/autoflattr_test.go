package instance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/configs"
)

// TestAutoFlattrOfFavourites: carol on A links her home account carolb on
// B through B's OAuth (PKCE, read:favourites only); what carolb
// favourites on B becomes flattrs of weight 1 on A, once each, within the
// monthly cap; unlinking revokes B's token.
func TestAutoFlattrOfFavourites(t *testing.T) {
	ctx := context.Background()
	a := startNodeWith(t, "A", func(c *configs.Config) { c.AutoFlattrKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" })
	b := startNode(t, "B")
	carolToken, danToken := a.user("carol"), a.user("dan")
	carolbToken := b.user("carolb")
	posts := []string{a.publishNote("dan", danToken, "one"), a.publishNote("dan", danToken, "two")}

	var started struct {
		Link struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"link"`
		AuthorizeURL string `json:"authorize_url"`
	}
	a.apiJSON(http.MethodPost, "/api/v1/autoflattr", carolToken, map[string]any{"server": b.base(), "monthly_cap": 1}, http.StatusCreated, &started)
	a.apiJSON(http.MethodPost, "/api/v1/autoflattr", carolToken, map[string]any{"server": b.base() + "/some/path", "monthly_cap": 1}, http.StatusBadRequest, nil)
	au, err := url.Parse(started.AuthorizeURL)
	if err != nil || !strings.HasPrefix(started.AuthorizeURL, b.base()+"/oauth/authorize?") || au.Query().Get("code_challenge_method") != "S256" ||
		au.Query().Get("scope") != "read:favourites" || started.Link.State != "pending" {
		t.Fatalf("start: %+v", started)
	}
	br := browser(t)
	br.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		if req.URL.Host == a.addr { // back to A: the test makes that request itself
			return http.ErrUseLastResponse
		}
		return nil
	}
	back := b.authorize(br, "carolb", au.Query())
	resp, err := http.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Linked "+b.base()) {
		t.Fatalf("callback %s: %d %s", back, resp.StatusCode, body)
	}
	tokensOnB := func() int64 {
		return b.count("SELECT COUNT(*) FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = 'carolb' AND t.revoked_at IS NULL AND t.name LIKE ?", "Plaudit (%")
	}
	if n := tokensOnB(); n != 1 {
		t.Fatalf("%d tokens of Plaudit on B; want 1", n)
	}

	// carolb favourites both of dan's posts on B.
	for _, p := range posts {
		var found struct {
			Statuses []struct {
				ID string `json:"id"`
			} `json:"statuses"`
		}
		b.api(http.MethodGet, "/api/v2/search?resolve=true&q="+url.QueryEscape(p), carolbToken, http.StatusOK, &found)
		if len(found.Statuses) != 1 {
			t.Fatalf("B found %d statuses for %s", len(found.Statuses), p)
		}
		b.api(http.MethodPost, "/api/v1/statuses/"+found.Statuses[0].ID+"/favourite", carolbToken, http.StatusOK, nil)
	}
	poll := a.inst.TestAutoFlattr().Poll
	if n, err := poll(ctx); err != nil || n != 1 {
		t.Fatalf("poll: %d flattrs, %v; want 1 (the cap)", n, err)
	}
	flattrs := func() int64 {
		return a.count("SELECT COUNT(*) FROM flattrs WHERE local AND funder_uri = ? AND weight = 1 AND state = 'active'", a.actor("carol"))
	}
	if n := flattrs(); n != 1 {
		t.Fatalf("%d flattrs on A; want 1", n)
	}
	if n, err := poll(ctx); err != nil || n != 0 {
		t.Fatalf("a second poll: %d, %v; want nothing new", n, err)
	}
	if n := a.count("SELECT COUNT(*) FROM autoflattr_seen WHERE outcome = 'over the cap'"); n != 1 {
		t.Fatalf("%d favourites over the cap; want 1", n)
	}
	if n := a.count("SELECT COUNT(*) FROM autoflattr_links WHERE token_sealed LIKE 'plt_%'"); n != 0 {
		t.Fatal("the home server's token is stored in the clear")
	}

	a.api(http.MethodDelete, fmt.Sprintf("/api/v1/autoflattr/%d", started.Link.ID), carolToken, http.StatusNoContent, nil)
	if n := tokensOnB(); n != 0 {
		t.Fatalf("%d tokens of Plaudit left on B after unlinking", n)
	}
	if n, err := poll(ctx); err != nil || n != 0 {
		t.Fatalf("poll after unlinking: %d, %v", n, err)
	}
}
