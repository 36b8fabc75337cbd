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

	linkID := linkAutoFlattr(t, a, b, carolToken, "carolb", 1)
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

	a.api(http.MethodDelete, fmt.Sprintf("/api/v1/autoflattr/%d", linkID), carolToken, http.StatusNoContent, nil)
	if n := tokensOnB(); n != 0 {
		t.Fatalf("%d tokens of Plaudit left on B after unlinking", n)
	}
	if n, err := poll(ctx); err != nil || n != 0 {
		t.Fatalf("poll after unlinking: %d, %v", n, err)
	}
}

// linkAutoFlattr links the home account homeUser on b to the funder of
// token on a, through b's OAuth consent page, with a monthly cap; it
// returns the link's id.
func linkAutoFlattr(t *testing.T, a, b *node, token, homeUser string, monthlyCap int) int64 {
	t.Helper()
	var started struct {
		Link struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"link"`
		AuthorizeURL string `json:"authorize_url"`
	}
	a.apiJSON(http.MethodPost, "/api/v1/autoflattr", token, map[string]any{"server": b.base(), "monthly_cap": monthlyCap}, http.StatusCreated, &started)
	a.apiJSON(http.MethodPost, "/api/v1/autoflattr", token, map[string]any{"server": b.base() + "/some/path", "monthly_cap": monthlyCap}, http.StatusBadRequest, nil)
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
	back := b.authorize(br, homeUser, au.Query())
	resp, err := http.Get(back.String())
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Linked "+b.base()) {
		t.Fatalf("callback %s: %d %s", back, resp.StatusCode, body)
	}
	return started.Link.ID
}

// favourite makes username on n favourite the post at uri through n's
// Mastodon API (search with resolve, then favourite).
func (n *node) favourite(token, uri string, undo bool) {
	n.t.Helper()
	var found struct {
		Statuses []struct {
			ID string `json:"id"`
		} `json:"statuses"`
	}
	n.api(http.MethodGet, "/api/v2/search?resolve=true&q="+url.QueryEscape(uri), token, http.StatusOK, &found)
	if len(found.Statuses) != 1 {
		n.t.Fatalf("%s found %d statuses for %s", n.name, len(found.Statuses), uri)
	}
	action := "/favourite"
	if undo {
		action = "/unfavourite"
	}
	n.api(http.MethodPost, "/api/v1/statuses/"+found.Statuses[0].ID+action, token, http.StatusOK, nil)
}

// TestLinkedLikesCountAtOnce: carol on A links her home account carolb
// on B for auto-flattr, and the two accounts link each other (aliases
// both ways). What carolb then favourites on A is a flattr of carol's at
// once, without a poll: once per thing, within the cap; erin's Likes from
// B, an account linked to no one, stay cheers; the poll finds nothing new.
func TestLinkedLikesCountAtOnce(t *testing.T) {
	ctx := context.Background()
	a := startNodeWith(t, "A", func(c *configs.Config) { c.AutoFlattrKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" })
	b := startNode(t, "B")
	carolToken, danToken := a.user("carol"), a.user("dan")
	carolbToken, erinToken := b.user("carolb"), b.user("erin")
	posts := []string{a.publishNote("dan", danToken, "one"), a.publishNote("dan", danToken, "two"), a.publishNote("dan", danToken, "three")}
	linkAutoFlattr(t, a, b, carolToken, "carolb", 2)

	var claim struct {
		State string `json:"state"`
	}
	b.apiJSON(http.MethodPost, "/api/v1/claims", carolbToken, map[string]string{"url": a.actor("carol")}, http.StatusCreated, nil)
	a.apiJSON(http.MethodPost, "/api/v1/claims", carolToken, map[string]string{"url": b.actor("carolb")}, http.StatusCreated, &claim)
	if claim.State != "verified" {
		t.Fatalf("carol's claim of carolb is %q; want verified", claim.State)
	}
	flattrs := func() int64 {
		return a.count("SELECT COUNT(*) FROM flattrs WHERE local AND funder_uri = ? AND weight = 1 AND state = 'active'", a.actor("carol"))
	}
	likesFrom := func(user string) int64 {
		return a.count("SELECT COUNT(*) FROM activities WHERE type = 'Like' AND actor_uri = ?", b.actor(user))
	}

	b.favourite(carolbToken, posts[0], false)
	eventually(t, "carolb's Like counted as carol's flattr", func() bool { return flattrs() == 1 })

	b.favourite(erinToken, posts[1], false)
	eventually(t, "erin's Like received", func() bool {
		return a.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND state = 'active'", b.actor("erin")) == 1
	})
	if n := flattrs(); n != 1 {
		t.Fatalf("%d flattrs of carol's after erin's Like; want 1", n)
	}

	b.favourite(carolbToken, posts[0], true)
	b.favourite(carolbToken, posts[0], false)
	b.favourite(carolbToken, posts[1], false)
	b.favourite(carolbToken, posts[2], false)
	eventually(t, "carolb's Likes received", func() bool { return likesFrom("carolb") == 4 })
	eventually(t, "the cap reached", func() bool {
		return a.count("SELECT COUNT(*) FROM autoflattr_seen WHERE outcome = 'over the cap'") == 1
	})
	if n := flattrs(); n != 2 {
		t.Fatalf("%d flattrs of carol's; want 2 (the cap)", n)
	}
	if n := a.count("SELECT COUNT(*) FROM flattrs WHERE local AND funder_uri = ? AND thing_uri = ?", a.actor("carol"), posts[0]); n != 1 {
		t.Fatalf("%d flattrs of carol's of the post liked twice; want 1", n)
	}
	if n, err := a.inst.TestAutoFlattr().Poll(ctx); err != nil || n != 0 {
		t.Fatalf("poll: %d flattrs, %v; want nothing new", n, err)
	}
}
