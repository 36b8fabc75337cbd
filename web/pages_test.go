package web_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"
	"gorm.io/gorm"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/pages"
	"github.com/plaudit/plaudit/app/settings"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/web"
)

// pagesFixture is a server with the public pages, the settings and the
// creator setup on a real store (auto-flattr, shares and blogs faked):
// bob is a local creator with a note flattred once; carol and dave fund.
type pagesFixture struct {
	*dashboardFixture
	flattrs *recordingFlattrs
	links   *linksFake
	queries atomic.Int64
}

const bobNote = base + "/users/bob/posts/1"

func newPagesFixture(t *testing.T, cacheTTL time.Duration) *pagesFixture {
	t.Helper()
	m := newMoney()
	f := &pagesFixture{flattrs: &recordingFlattrs{money: m}, links: newLinksFake()}
	srv := newServer(t, nil, func(d *web.Deps, _ *accounts.Service, st *store.Store) {
		lookup := &things.Lookup{Store: st.Things}
		d.Currency, d.Funding, d.Statements, d.Claims, d.Subscriptions = "EUR", m, m, claimsFake{m}, m
		d.Flattrs, d.ThingResolver, d.Things, d.OwnedThings = f.flattrs, storeResolver{st}, lookup, lookup
		d.Pages = &pages.Service{Store: st, BaseURL: base}
		d.Settings = &settings.Service{Store: st.Users}
		d.AutoFlattr, d.CoCreators = f.links, &sharesFake{split: map[string][]app.Recipient{}}
		d.Blogs = &blogsFake{blogs: map[string][]app.Blog{}}
		d.PageCacheTTL, d.CountCacheTTL = cacheTTL, -1
		countQueries(t, st.DB(), &f.queries)
	})
	f.dashboardFixture = &dashboardFixture{server: srv, money: m}
	for _, name := range []string{"bob", "carol", "dave"} {
		srv.mustUser(t, name, false)
	}
	f.thing(t, bobNote, "Bob's first note", base+"/users/bob")
	f.flattr(t, bobNote, "https://other.example/users/erin")
	return f
}

// countQueries counts the statements run on db.
func countQueries(t *testing.T, db *gorm.DB, n *atomic.Int64) {
	t.Helper()
	count := func(*gorm.DB) { n.Add(1) }
	for name, err := range map[string]error{
		"query": db.Callback().Query().After("gorm:query").Register("test:count_query", count),
		"row":   db.Callback().Row().After("gorm:row").Register("test:count_row", count),
		"raw":   db.Callback().Raw().After("gorm:raw").Register("test:count_raw", count),
	} {
		if err != nil {
			t.Fatalf("count %s: %v", name, err)
		}
	}
}

func (f *pagesFixture) thing(t *testing.T, uri, title, owner string) {
	t.Helper()
	if err := f.st.UpsertThing(context.Background(), &app.Thing{URI: uri, URL: uri, Kind: app.ThingNote, Title: title,
		OwnerURI: owner, OwnerConfirmed: true, Host: "plaudit.test", Local: strings.HasPrefix(uri, base)}); err != nil {
		t.Fatal(err)
	}
}

func (f *pagesFixture) flattr(t *testing.T, uri, funder string) {
	t.Helper()
	ctx, month := context.Background(), app.MonthOf(time.Now())
	if _, err := f.st.InsertFlattr(ctx, &app.Flattr{ActivityURI: funder + "#likes/" + uri, FunderURI: funder, ThingURI: uri, Month: month,
		Weight: 1, State: app.FlattrActive}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.RecountThing(ctx, uri, month, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// get GETs path as c and checks the page; the status must be want.
func (f *pagesFixture) get(t *testing.T, c *http.Client, path string, want int) (*html.Node, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d\n%s", path, resp.StatusCode, want, body)
	}
	return checkPage(t, resp.Header, string(body)), string(body)
}

func countIn(t *testing.T, doc *html.Node, sel string) string {
	t.Helper()
	n := find(doc, func(n *html.Node) bool { return attr(n, "data-count") == sel })
	if n == nil {
		t.Fatalf("no data-count=%s", sel)
	}
	return text(n)
}

// TestThingPageCache: signed-out visitors share a rendering of the thing
// page for the cache's TTL, then see the new count; a signed-in user
// sees it at once, with their own flattr form; each rendering is one
// query.
func TestThingPageCache(t *testing.T) {
	f := newPagesFixture(t, 400*time.Millisecond)
	path := "/things?url=" + url.QueryEscape(bobNote)
	visitor := browser(t)
	before := f.queries.Load()
	doc, _ := f.get(t, visitor, path, http.StatusOK)
	if got := f.queries.Load() - before; got != 1 {
		t.Errorf("the thing page took %d queries, want 1", got)
	}
	if got := countIn(t, doc, "flattrs-month"); got != "1" {
		t.Fatalf("flattrs this month = %s, want 1", got)
	}
	f.flattr(t, bobNote, "https://other.example/users/frank")
	before = f.queries.Load()
	doc, _ = f.get(t, browser(t), path, http.StatusOK)
	if got := countIn(t, doc, "flattrs-month"); got != "1" || f.queries.Load() != before {
		t.Errorf("within the TTL another visitor sees %s after %d queries, want the cached 1 and none", got, f.queries.Load()-before)
	}
	carol := f.signIn(t, "carol")
	doc, _ = f.get(t, carol, path, http.StatusOK)
	if got := countIn(t, doc, "flattrs-month"); got != "2" {
		t.Errorf("signed in, carol sees %s, want 2 at once", got)
	}
	if find(doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == "/flattr" }) == nil || find(doc, byID("flattr-tip")) == nil {
		t.Error("carol's thing page lacks the flattr form with a tip")
	}
	time.Sleep(500 * time.Millisecond)
	doc, body := f.get(t, visitor, path, http.StatusOK)
	if got := countIn(t, doc, "flattrs-month"); got != "2" {
		t.Errorf("after the TTL the visitor sees %s, want 2", got)
	}
	if strings.Contains(body, "csrf_token") || strings.Contains(body, "carol") {
		t.Error("the signed-out page carries a token or a user")
	}
	// Unknown things are a 404 that offers to flattr them, cached too.
	f.get(t, visitor, "/things?url="+url.QueryEscape("https://never.example/x"), http.StatusNotFound)
}

// TestProfilePageListsThings: a local user's page lists their things with counts,
// a flattr and a follow control, rel="me" and payment links and the
// alternate ActivityPub link, in the same few queries however many
// things they have.
func TestProfilePageListsThings(t *testing.T) {
	f := newPagesFixture(t, -1)
	ctx := context.Background()
	bob, err := f.st.UserByUsername(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.DB().Exec("UPDATE users SET also_known_as = ? WHERE id = ?", "https://mastodon.example/users/bob", bob.ID).Error; err != nil {
		t.Fatal(err)
	}
	before := f.queries.Load()
	doc, _ := f.get(t, browser(t), "/@bob", http.StatusOK)
	one := f.queries.Load() - before
	alt := find(doc, func(n *html.Node) bool {
		return n.Data == "link" && attr(n, "rel") == "alternate" && attr(n, "type") == "application/activity+json"
	})
	if alt == nil || attr(alt, "href") != base+"/users/bob" {
		t.Error("no <link rel=alternate type=application/activity+json> to bob's actor")
	}
	if me := find(doc, func(n *html.Node) bool { return slices.Contains(strings.Fields(attr(n, "rel")), "me") && n.Data == "a" }); me == nil || attr(me, "href") != "https://mastodon.example/users/bob" {
		t.Error("no rel=me link to bob's other account")
	}
	if pay := find(doc, func(n *html.Node) bool { return strings.Contains(attr(n, "rel"), "payment") }); pay == nil || !strings.Contains(attr(pay, "href"), "/flattr?url=") {
		t.Error("no payment link")
	}
	if follow := find(doc, func(n *html.Node) bool { return n.Data == "form" && attr(n, "action") == "/@bob/follow" }); follow == nil {
		t.Error("no follow form")
	}
	if got := rowOf(doc, "Bob's first note"); len(got) != 4 || got[1] != "1" || got[2] != "1" {
		t.Errorf("bob's note's row = %q, want 1 flattr this month and 1 all time", got)
	}
	for i := 2; i <= 6; i++ {
		f.thing(t, base+"/users/bob/posts/"+strconv.Itoa(i), "Note "+strconv.Itoa(i), base+"/users/bob")
	}
	before = f.queries.Load()
	doc, _ = f.get(t, browser(t), "/@bob", http.StatusOK)
	if six := f.queries.Load() - before; six != one || one > 3 {
		t.Errorf("the profile took %d queries with one thing, %d with six: want the same, at most 3", one, six)
	}
	if got := text(find(doc, byID("things"))); !strings.Contains(got, "Note 6") {
		t.Errorf("bob's things = %q", got)
	}
	// Following from elsewhere goes to the visitor's server.
	resp := postlessGet(t, browser(t), f.srv.URL+"/@bob/follow?server=mastodon.example")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "https://mastodon.example/authorize_interaction?uri=acct%3Abob%40plaudit.test" {
		t.Errorf("follow = %d to %q", resp.StatusCode, loc)
	}
	f.get(t, browser(t), "/@nobody", http.StatusNotFound)
}

// TestHomeAndRemoteProfile: the home page lists this month's most
// flattred things; a remote actor known here has a page with their
// things; one never seen is a 404, and nothing is fetched.
func TestHomeAndRemoteProfile(t *testing.T) {
	f := newPagesFixture(t, -1)
	ctx := context.Background()
	const ann = "https://remote.example/users/ann"
	if err := f.st.UpsertRemoteActor(ctx, &app.RemoteActor{URI: ann, Type: "Person", Host: "remote.example", PreferredUsername: "ann", Name: "Ann",
		Summary: "<p>I paint <script>x()</script></p>", Inbox: ann + "/inbox", KeyID: ann + "#main-key", FetchedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.thing(t, "https://remote.example/notes/ann1", "Ann's painting", ann)
	f.flattr(t, "https://remote.example/notes/ann1", base+"/users/carol")
	f.flattr(t, "https://remote.example/notes/ann1", base+"/users/dave")
	doc, _ := f.get(t, browser(t), "/", http.StatusOK)
	top := text(find(doc, byID("top")))
	if i, j := strings.Index(top, "Ann's painting"), strings.Index(top, "Bob's first note"); i < 0 || j < i {
		t.Errorf("most flattred = %q, want Ann's painting (2) before Bob's note (1)", top)
	}
	if find(doc, func(n *html.Node) bool { return attr(n, "href") == "/signup" }) == nil {
		t.Error("the home page does not offer to sign up")
	}
	doc, body := f.get(t, browser(t), "/profiles?url="+url.QueryEscape(ann), http.StatusOK)
	if got := rowOf(doc, "Ann's painting"); len(got) != 4 || got[1] != "2" || got[2] != "2" {
		t.Errorf("ann's painting's row = %q", got)
	}
	if strings.Contains(body, "<script>x()") {
		t.Error("ann's summary kept its script")
	}
	f.get(t, browser(t), "/profiles?url="+url.QueryEscape("https://remote.example/users/nobody"), http.StatusNotFound)
	// The thing page links its owner's page here.
	doc, _ = f.get(t, browser(t), "/things?url="+url.QueryEscape("https://remote.example/notes/ann1"), http.StatusOK)
	if find(doc, func(n *html.Node) bool { return attr(n, "href") == "/profiles?url="+url.QueryEscape(ann) }) == nil {
		t.Error("the thing page does not link its owner's page")
	}
}

// TestSettings: carol's privacy and time zone are hers: saved, shown in
// her zone, applied to her flattrs from the web; a bad zone is refused
// beside the field with what she typed; bob sees none of it.
func TestSettings(t *testing.T) {
	f := newPagesFixture(t, -1)
	carol, bob := f.signIn(t, "carol"), f.signIn(t, "bob")
	doc, _ := f.get(t, carol, "/dashboard/settings", http.StatusOK)
	if box := find(doc, func(n *html.Node) bool { return attr(n, "name") == "anonymous_by_default" }); box == nil || !hasAttr(box, "checked") {
		t.Error("anonymous by default is not ticked by default")
	}
	token := formToken(t, carol, f.srv.URL, "/dashboard/settings")
	resp := postForm(t, carol, f.srv.URL+"/dashboard/settings", url.Values{"csrf_token": {token}, "show_name": {"1"}, "time_zone": {"Mars/Olympus"}}, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a bad zone = %d, want 400", resp.StatusCode)
	}
	doc = f.refused(t, carol, "/dashboard/settings", url.Values{"csrf_token": {token}, "show_name": {"1"}, "time_zone": {"Mars/Olympus"}})
	zone := find(doc, byID("time-zone"))
	if attr(zone, "value") != "Mars/Olympus" || attr(zone, "aria-invalid") != "true" || find(doc, byID("time-zone-err")) == nil {
		t.Errorf("the refused zone field: value %q, invalid %q", attr(zone, "value"), attr(zone, "aria-invalid"))
	}
	if box := find(doc, func(n *html.Node) bool { return attr(n, "name") == "anonymous_by_default" }); hasAttr(box, "checked") {
		t.Error("the refused form lost the unticked box")
	}
	resp = postForm(t, carol, f.srv.URL+"/dashboard/settings", url.Values{"csrf_token": {token}, "time_zone": {"Asia/Tokyo"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", resp.StatusCode)
	}
	_, body := f.get(t, carol, "/dashboard/settings", http.StatusOK)
	if !strings.Contains(body, "Now in Asia/Tokyo") || !strings.Contains(body, "JST") {
		t.Errorf("carol's settings page does not show the time in her zone")
	}
	if doc, body := f.get(t, bob, "/dashboard/settings", http.StatusOK); strings.Contains(body, "Now in Asia/Tokyo") || attr(find(doc, byID("time-zone")), "value") != "UTC" {
		t.Error("bob's settings show carol's zone")
	}
	// Her name hidden: the flattr form has no choice, and the flattr is anonymous.
	doc, _ = f.get(t, carol, "/things?url="+url.QueryEscape(bobNote), http.StatusOK)
	if find(doc, func(n *html.Node) bool { return attr(n, "name") == "anonymous" }) != nil {
		t.Error("with her name hidden the flattr form still offers to choose")
	}
	resp = postForm(t, carol, f.srv.URL+"/flattr", url.Values{"csrf_token": {token}, "url": {bobNote}, "weight": {"2"}, "tip": {"1.50"}}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("flattr = %d", resp.StatusCode)
	}
	got := f.flattrs.requests()
	if len(got) != 1 || !got[0].Anonymous || got[0].Tip == nil || *got[0].Tip != 150 || got[0].Weight != 2 {
		t.Fatalf("flattr requests = %+v, want one anonymous of weight 2 with a tip of 150", got)
	}
	doc = f.refused(t, carol, "/flattr", url.Values{"csrf_token": {token}, "url": {bobNote}, "tip": {"lots"}})
	if tip := find(doc, byID("flattr-tip")); attr(tip, "value") != "lots" || find(doc, byID("flattr-tip-err")) == nil {
		t.Error("a bad tip is not refused beside its field with what was typed")
	}
	if len(f.flattrs.requests()) != 1 {
		t.Error("a bad tip flattred")
	}
}

// refused POSTs form as c and parses the refused page (a 4xx).
func (f *pagesFixture) refused(t *testing.T, c *http.Client, path string, form url.Values) *html.Node {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 400 || resp.StatusCode == http.StatusInternalServerError || resp.StatusCode == http.StatusForbidden {
		t.Fatalf("POST %s = %d, want a refusal of the form\n%s", path, resp.StatusCode, body)
	}
	return checkPage(t, resp.Header, string(body))
}

// rowOf is the text of each cell of the table row whose first cell
// starts with title.
func rowOf(doc *html.Node, title string) []string {
	var out []string
	walk(doc, func(n *html.Node) {
		if out != nil || n.Data != "tr" {
			return
		}
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.Data == "td" {
				cells = append(cells, text(c))
			}
		}
		if len(cells) > 0 && strings.HasPrefix(cells[0], title) {
			out = cells
		}
	})
	return out
}

func hasAttr(n *html.Node, name string) bool {
	if n == nil {
		return false
	}
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

// TestAutoFlattrLinkForms: carol links her home account (sent to approve
// it there), sees it with its cap and exceptions, and unlinks it; a bad
// cap and an unreachable server are said beside their fields; bob can
// neither see nor unlink her link.
func TestAutoFlattrLinkForms(t *testing.T) {
	f := newPagesFixture(t, -1)
	carol, bob := f.signIn(t, "carol"), f.signIn(t, "bob")
	token := formToken(t, carol, f.srv.URL, "/dashboard/settings")
	doc := f.refused(t, carol, "/dashboard/settings/autoflattr", url.Values{"csrf_token": {token}, "server": {"https://home.example"}, "cap": {"many"}})
	if attr(find(doc, byID("link-cap")), "value") != "many" || find(doc, byID("link-cap-err")) == nil || attr(find(doc, byID("link-server")), "value") != "https://home.example" {
		t.Error("a bad cap is not refused beside its field with what was typed")
	}
	doc = f.refused(t, carol, "/dashboard/settings/autoflattr", url.Values{"csrf_token": {token}, "server": {"https://down.example"}, "cap": {"20"}})
	if got := text(find(doc, byID("link-server-err"))); !strings.Contains(got, "did not register") {
		t.Errorf("an unreachable server: %q", got)
	}
	resp := postForm(t, carol, f.srv.URL+"/dashboard/settings/autoflattr", url.Values{"csrf_token": {token}, "server": {"https://home.example"},
		"cap": {"20"}, "exceptions": {"spam.example\nads.example"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "https://home.example/oauth/authorize") {
		t.Fatalf("link = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	doc, _ = f.get(t, carol, "/dashboard/settings", http.StatusOK)
	if got := text(find(doc, byID("link-1"))); !strings.Contains(got, "up to 20 flattrs a month, except spam.example, ads.example") {
		t.Errorf("carol's link = %q", got)
	}
	if doc, _ := f.get(t, bob, "/dashboard/settings", http.StatusOK); find(doc, byID("link-1")) != nil {
		t.Error("bob sees carol's link")
	}
	bobToken := formToken(t, bob, f.srv.URL, "/dashboard/settings")
	if resp := postForm(t, bob, f.srv.URL+"/dashboard/settings/autoflattr/1/unlink", url.Values{"csrf_token": {bobToken}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("bob unlinking carol's link = %d, want 404", resp.StatusCode)
	}
	if resp := postForm(t, carol, f.srv.URL+"/dashboard/settings/autoflattr/1/unlink", url.Values{"csrf_token": {token}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("unlink = %d", resp.StatusCode)
	}
	if doc, _ := f.get(t, carol, "/dashboard/settings", http.StatusOK); find(doc, byID("link-1")) != nil {
		t.Error("the link stayed after unlinking")
	}
}

// TestCreatorSetup: bob edits his co-creator shares (a bad row refused
// beside it, keeping every row), connects a blog and sees its feed
// status, and gets the button snippet with its preview; dave sees none
// of bob's setup.
func TestCreatorSetup(t *testing.T) {
	f := newPagesFixture(t, -1)
	bob, dave := f.signIn(t, "bob"), f.signIn(t, "dave")
	doc, _ := f.get(t, bob, "/dashboard/creator/setup", http.StatusOK)
	if frame := find(doc, byID("button-preview")); frame == nil || !strings.Contains(attr(frame, "src"), "/button?url="+url.QueryEscape(base+"/@bob")) {
		t.Error("no button preview for bob's profile")
	}
	if s := find(doc, func(n *html.Node) bool { return n.Data == "script" }); s == nil || attr(s, "src") != "/static/button-preview.js" {
		t.Error("the live preview script is missing")
	}
	token := formToken(t, bob, f.srv.URL, "/dashboard/creator/setup")
	bad := url.Values{"csrf_token": {token}, "actor_1": {"https://remote.example/users/ann"}, "share_1": {"70"}, "actor_2": {"https://remote.example/users/cy"}, "share_2": {"lots"}, "actor_3": {""}, "share_3": {""}}
	doc = f.refused(t, bob, "/dashboard/creator/setup/shares", bad)
	if attr(find(doc, byID("share-2")), "value") != "lots" || find(doc, byID("share-2-err")) == nil || attr(find(doc, byID("actor-1")), "value") != "https://remote.example/users/ann" {
		t.Error("a bad share is not refused beside its row with every row kept")
	}
	good := url.Values{"csrf_token": {token}, "actor_1": {"https://remote.example/users/ann"}, "share_1": {"70"}, "actor_2": {"https://remote.example/users/cy"}, "share_2": {"30"}, "actor_3": {""}, "share_3": {""}}
	if resp := postForm(t, bob, f.srv.URL+"/dashboard/creator/setup/shares", good, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save shares = %d", resp.StatusCode)
	}
	if resp := postForm(t, bob, f.srv.URL+"/dashboard/creator/setup/blogs", url.Values{"csrf_token": {token}, "url": {"https://blog.example/"}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("connect blog = %d", resp.StatusCode)
	}
	doc, _ = f.get(t, bob, "/dashboard/creator/setup", http.StatusOK)
	if attr(find(doc, byID("share-1")), "value") != "70" || attr(find(doc, byID("actor-2")), "value") != "https://remote.example/users/cy" {
		t.Error("the saved shares are not shown")
	}
	if got := text(find(doc, byID("blog-1"))); !strings.Contains(got, "Not fetched yet; 0 posts; next check") {
		t.Errorf("the blog's status = %q", got)
	}
	// Times are in bob's zone once he chose one.
	if resp := postForm(t, bob, f.srv.URL+"/dashboard/settings", url.Values{"csrf_token": {token}, "time_zone": {"Asia/Tokyo"}}, nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the zone = %d", resp.StatusCode)
	}
	doc, _ = f.get(t, bob, "/dashboard/creator/setup", http.StatusOK)
	if got := text(find(doc, byID("blog-1"))); !strings.Contains(got, "JST") {
		t.Errorf("the blog's next check is not in bob's zone: %q", got)
	}
	doc = f.refused(t, bob, "/dashboard/creator/setup/blogs", url.Values{"csrf_token": {token}, "url": {"ftp://x"}})
	if attr(find(doc, byID("blog-url")), "value") != "ftp://x" || find(doc, byID("blog-err")) == nil {
		t.Error("a bad blog address is not refused beside its field")
	}
	doc, _ = f.get(t, dave, "/dashboard/creator/setup", http.StatusOK)
	if find(doc, byID("blog-1")) != nil || attr(find(doc, byID("actor-1")), "value") != "" {
		t.Error("dave sees bob's setup")
	}
	daveToken := formToken(t, dave, f.srv.URL, "/dashboard/creator/setup")
	if resp := postForm(t, dave, f.srv.URL+"/dashboard/creator/setup/blogs/1/delete", url.Values{"csrf_token": {daveToken}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("dave deleting bob's blog = %d, want 404", resp.StatusCode)
	}
}

// TestPagesFormsNeedCSRFAndSignIn: every new form refuses a POST without
// the CSRF token, and every new page sends a signed-out visitor to sign
// in.
func TestPagesFormsNeedCSRFAndSignIn(t *testing.T) {
	f := newPagesFixture(t, -1)
	carol := f.signIn(t, "carol")
	f.get(t, carol, "/dashboard/settings", http.StatusOK) // sets the CSRF cookie
	for _, path := range []string{"/dashboard/settings", "/dashboard/settings/autoflattr", "/dashboard/settings/autoflattr/1/unlink",
		"/dashboard/creator/setup/shares", "/dashboard/creator/setup/blogs", "/dashboard/creator/setup/blogs/1/delete", "/flattr"} {
		if resp := postForm(t, carol, f.srv.URL+path, url.Values{"time_zone": {"UTC"}, "url": {bobNote}}, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the token = %d, want 403", path, resp.StatusCode)
		}
	}
	if len(f.flattrs.requests()) != 0 {
		t.Error("a POST without the token flattred")
	}
	for _, path := range []string{"/dashboard/settings", "/dashboard/creator/setup"} {
		resp := postlessGet(t, browser(t), f.srv.URL+path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out = %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}
