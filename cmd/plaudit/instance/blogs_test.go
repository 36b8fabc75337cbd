package instance_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/transport"
)

// blogServer is a blog on loopback: a home page naming its feed and its
// creator (rel="me"), and an RSS feed with an ETag, whose items the test
// adds as it goes.
type blogServer struct {
	*httptest.Server
	mu        sync.Mutex
	items     []string // item numbers, oldest first
	huge      bool
	me        string
	full, nm  atomic.Int32
	feedETag  string
	lastBuild int
}

func newBlogServer(t *testing.T, me string) *blogServer {
	b := &blogServer{me: me}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Close)
	return b
}

func (b *blogServer) add(n int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.items = append(b.items, fmt.Sprint(n))
	b.lastBuild++
}

func (b *blogServer) serve(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch r.URL.Path {
	case "/":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<html><head><title>Bees</title><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>
<body><a rel="me" href="%s">me on Plaudit</a></body></html>`, b.me)
	case "/no-feed":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, `<html><body>just a page</body></html>`)
	case "/feed.xml":
		etag := fmt.Sprintf(`"v%d"`, b.lastBuild)
		if r.Header.Get("If-None-Match") == etag {
			b.nm.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		b.full.Add(1)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Header().Set("ETag", etag)
		if b.huge {
			fmt.Fprint(w, strings.Repeat("<!-- padding -->", 1<<12))
			return
		}
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Bees</title>
<atom:link rel="payment" href="https://pay.example/bees"/>`)
		for i := len(b.items) - 1; i >= 0; i-- {
			n := b.items[i]
			fmt.Fprintf(w, `<item><title>Post %s</title><link>%s/posts/%s</link><guid>%s/?p=%s</guid><pubDate>%s</pubDate><description>About bees, part %s</description></item>`,
				n, b.URL, n, b.URL, n, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i)*time.Hour).Format(time.RFC1123Z), n)
		}
		fmt.Fprint(w, `</channel></rss>`)
	default:
		http.NotFound(w, r)
	}
}

// pollNow makes blog id due and polls it, as the scheduler would once
// poll_interval has passed.
func (n *node) pollNow(id int64) {
	n.t.Helper()
	if err := n.inst.TestStore().DB().Exec("UPDATE blogs SET next_poll_at = ? WHERE id = ?", time.Now().UTC().Add(-time.Second), id).Error; err != nil {
		n.t.Fatal(err)
	}
	if err := n.inst.TestBlogs().Poll(context.Background(), id); err != nil {
		n.t.Fatal(err)
	}
}

type blogStatus struct {
	ID           int64   `json:"id"`
	Kind         string  `json:"kind"`
	Feed         string  `json:"feed"`
	Actor        string  `json:"actor"`
	Title        string  `json:"title"`
	LastError    string  `json:"last_error"`
	LastFetchAt  *string `json:"last_fetch_at"`
	Items        int64   `json:"items"`
	PaymentLinks []struct {
		Href string `json:"href"`
	} `json:"payment_links"`
}

func (n *node) blogStatus(token string, id int64) blogStatus {
	n.t.Helper()
	var list []blogStatus
	n.api(http.MethodGet, "/api/v1/blogs", token, http.StatusOK, &list)
	for _, b := range list {
		if b.ID == id {
			return b
		}
	}
	n.t.Fatalf("blog %d not listed", id)
	return blogStatus{}
}

func TestFeedBlogPublishesEachNewItemOnce(t *testing.T) {
	a := startNodeWith(t, "a", func(c *configs.Config) { c.Feeds.Backfill = 1; c.Feeds.MaxBytes = 32 << 10 })
	token := a.user("carol")
	carol := a.actor("carol")
	blog := newBlogServer(t, a.base()+"/@carol")
	blog.add(1)
	blog.add(2)

	// Bad input first: a page with no feed, and a feed over the limit.
	var refusal struct{ Error string }
	a.apiJSON(http.MethodPost, "/api/v1/blogs", token, map[string]string{"url": blog.URL + "/no-feed"}, http.StatusBadRequest, &refusal)
	if !strings.Contains(refusal.Error, "names no feed") {
		t.Errorf("page without a feed refused with %q", refusal.Error)
	}
	if got := a.count("SELECT count(*) FROM blogs"); got != 0 {
		t.Fatalf("%d blogs stored after refusals", got)
	}

	var b blogStatus
	a.apiJSON(http.MethodPost, "/api/v1/blogs", token, map[string]string{"url": blog.URL + "/"}, http.StatusCreated, &b)
	if b.Kind != "feed" || b.Feed != blog.URL+"/feed.xml" || b.Title != "Bees" {
		t.Fatalf("connected blog = %+v", b)
	}
	// Not claimed yet: nothing is published, and the status says why.
	a.pollNow(b.ID)
	if st := a.blogStatus(token, b.ID); !strings.Contains(st.LastError, "claim") {
		t.Errorf("status of an unclaimed blog = %q, want it to ask for a claim", st.LastError)
	}
	articles := func() int64 {
		return a.count("SELECT count(*) FROM posts WHERE author_uri = ? AND type = 'Article'", carol)
	}
	if got := articles(); got != 0 {
		t.Fatalf("%d articles published before the claim", got)
	}

	// A claim of a page without a link back is refused, saying which side is missing.
	var claim struct {
		ID             int64
		State, Message string
	}
	a.apiJSON(http.MethodPost, "/api/v1/claims", token, map[string]string{"url": blog.URL + "/no-feed"}, http.StatusCreated, &claim)
	if claim.State != "refused" || !strings.Contains(claim.Message, "does not link back") {
		t.Errorf("one-way claim = %+v", claim)
	}
	a.apiJSON(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), token, nil, http.StatusUnprocessableEntity, &refusal)
	if !strings.Contains(refusal.Error, "does not link back") {
		t.Errorf("verify one-way claim: %q", refusal.Error)
	}
	a.api(http.MethodDelete, fmt.Sprintf("/api/v1/claims/%d", claim.ID), token, http.StatusNoContent, nil)

	a.apiJSON(http.MethodPost, "/api/v1/claims", token, map[string]string{"url": blog.URL + "/"}, http.StatusCreated, &claim)
	if claim.State != "verified" {
		t.Fatalf("claim of the blog = %+v", claim)
	}
	a.api(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), token, http.StatusOK, &claim)
	var claims []struct{ State string }
	a.api(http.MethodGet, "/api/v1/claims", token, http.StatusOK, &claims)
	if len(claims) != 1 || claims[0].State != "verified" {
		t.Errorf("claims listed: %+v", claims)
	}

	// The first poll publishes the newest item only (backfill 1).
	a.pollNow(b.ID)
	if got := articles(); got != 1 {
		t.Fatalf("%d articles after the first poll, want 1", got)
	}
	if got := a.count("SELECT count(*) FROM posts WHERE author_uri = ? AND content LIKE ?", carol, "%"+blog.URL+"/posts/2%"); got != 1 {
		t.Errorf("the article does not link post 2")
	}
	// A new item appears once, however often the feed is polled.
	blog.add(3)
	a.pollNow(b.ID)
	a.pollNow(b.ID)
	if got := articles(); got != 2 {
		t.Fatalf("%d articles after a new item, want 2", got)
	}
	if got := a.count("SELECT count(*) FROM posts WHERE author_uri = ? AND name = 'Post 3'", carol); got != 1 {
		t.Errorf("post 3 published %d times", got)
	}
	// The unchanged feed answered 304 to the second poll, which created nothing.
	if blog.nm.Load() < 1 {
		t.Errorf("the feed was never asked conditionally (%d full fetches)", blog.full.Load())
	}
	st := a.blogStatus(token, b.ID)
	if st.LastError != "" || st.Items != 2 || len(st.PaymentLinks) != 1 || st.LastFetchAt == nil {
		t.Errorf("status = %+v", st)
	}

	// The articles federate as Articles of carol with a payment link.
	var uri string
	a.inst.TestStore().DB().Raw("SELECT uri FROM posts WHERE name = 'Post 3'").Scan(&uri)
	var obj map[string]any
	getJSON(t, uri, "application/activity+json", &obj)
	if obj["type"] != "Article" || obj["attributedTo"] != carol {
		t.Errorf("the item is served as %v by %v", obj["type"], obj["attributedTo"])
	}
	if !strings.Contains(fmt.Sprint(obj["attachment"]), "/flattr?url=") {
		t.Errorf("the article carries no payment link: %v", obj["attachment"])
	}
	// It can be flattred: it is a thing of carol's.
	if got := a.count("SELECT count(*) FROM things WHERE uri = ? AND owner_uri = ? AND owner_confirmed = ?", uri, carol, true); got != 1 {
		t.Errorf("the article is not a thing owned by carol")
	}

	// A feed grown over the limit: a clear status, nothing stored.
	blog.mu.Lock()
	blog.huge, blog.lastBuild = true, blog.lastBuild+1
	blog.mu.Unlock()
	a.pollNow(b.ID)
	if st := a.blogStatus(token, b.ID); !strings.Contains(st.LastError, "larger than the limit") {
		t.Errorf("status of an oversized feed = %q", st.LastError)
	}
	if got := articles(); got != 2 {
		t.Errorf("%d articles after an oversized feed, want 2", got)
	}
	a.api(http.MethodDelete, fmt.Sprintf("/api/v1/blogs/%d", b.ID), token, http.StatusNoContent, nil)
	if got := a.count("SELECT count(*) FROM blogs"); got != 0 {
		t.Errorf("%d blogs after disconnecting", got)
	}
}

func TestActivityPubBlogCreateBecomesThingOfCreator(t *testing.T) {
	a := startNode(t, "a")
	token := a.user("carol")
	carol := a.actor("carol")

	srv := dereftest.NewSite(t)
	hosts := map[string]string{"https://blog.example": srv.URL}
	actorID := srv.URL + "/?author=0"
	key := dereftest.Key("wordpress-blog")
	actor := dereftest.WithKey(t, dereftest.Fixture(t, "wordpress_blog_actor.json", hosts), actorID+"#main-key", actorID, key)
	actor = dereftest.Edit(t, actor, func(m map[string]any) { m["alsoKnownAs"] = []any{carol} })
	create := dereftest.Edit(t, dereftest.Fixture(t, "wordpress_create_article.json", hosts), func(m map[string]any) {
		m["actor"] = actorID
		m["object"].(map[string]any)["attributedTo"] = actorID
	})
	article := dereftest.Edit(t, create, func(m map[string]any) {
		obj := m["object"].(map[string]any)
		obj["@context"] = "https://www.w3.org/ns/activitystreams"
		for k := range m {
			delete(m, k)
		}
		for k, v := range obj {
			m[k] = v
		}
	})
	srv.ServeActivity("/?author=0", actor)
	srv.ServeActivity("/?p=42", article)

	var claim struct{ State, Message string }
	a.apiJSON(http.MethodPost, "/api/v1/claims", token, map[string]string{"url": actorID}, http.StatusCreated, &claim)
	if claim.State != "verified" {
		t.Fatalf("claim of the blog actor = %+v", claim)
	}
	var b blogStatus
	a.apiJSON(http.MethodPost, "/api/v1/blogs", token, map[string]string{"url": actorID}, http.StatusCreated, &b)
	if b.Kind != "activitypub" || b.Actor != actorID {
		t.Fatalf("connected blog = %+v", b)
	}
	if a.followState(carol, actorID) == "" {
		t.Fatal("carol does not follow the blog actor")
	}
	eventually(t, "the Follow delivered to the blog", func() bool { return srv.Posts() > 0 })

	// The blog sends its Create, signed by its own key.
	client := transport.New(transport.Options{AllowHTTP: true, AllowPrivateAddresses: true, Signer: httpsig.NewSigner(actorID+"#main-key", key)})
	if _, err := client.Post(context.Background(), a.actor("carol")+"/inbox", create); err != nil {
		t.Fatal(err)
	}
	articleID := srv.URL + "/?p=42"
	eventually(t, "the article to become carol's thing", func() bool {
		return a.count("SELECT count(*) FROM things WHERE uri = ? AND owner_uri = ? AND owner_confirmed = ?", articleID, carol, true) == 1
	})
	// The thing is stored (and visible) before the blog's status counts
	// the item, in a statement of its own: wait for the count too.
	eventually(t, "the blog status to count the item", func() bool { return a.blogStatus(token, b.ID).Items == 1 })
	if st := a.blogStatus(token, b.ID); st.Items != 1 {
		t.Errorf("blog status counts %d items, want 1", st.Items)
	}
}
