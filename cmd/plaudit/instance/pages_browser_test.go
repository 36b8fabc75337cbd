package instance_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plaudit/plaudit/configs"
)

// TestFlattrFromABlogInABrowser: a visitor reads a blog page with the
// flattr button of bob's note on B. In a real browser, the button sends
// them to B's confirm page, which offers their own server; they name A,
// sign in there as carol, and flattr the note with weight 3 and a tip
// from A's confirm page (anonymously: her settings' default). B counts
// the flattr; the button now links to A, remembered in the browser. The
// public pages (B's profile of bob, the thing page, A's home) render,
// and carol's settings and bob's creator setup work; screenshots
// pages-*.png.
func TestFlattrFromABlogInABrowser(t *testing.T) {
	ctx := newBrowser(t)
	a, b := startNode(t, "A"), startNode(t, "B")
	a.user("carol")
	bobToken := b.user("bob")
	note := b.publishNote("bob", bobToken, "A note worth a flattr")
	button := b.base() + "/button?url=" + url.QueryEscape(note)
	var snippet atomic.Value
	snippet.Store(`<iframe src="` + button + `" title="Flattr this on Plaudit" width="150" height="36" style="border:0"></iframe>`)
	blog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Bob's blog</title></head><body><h1>A note worth a flattr</h1>\n" + snippet.Load().(string) + "\n</body></html>"))
	}))
	t.Cleanup(blog.Close)

	do(t, ctx, "the blog page", chromedp.Navigate(blog.URL), chromedp.WaitVisible(chromedp.CSS(`iframe[src="`+button+`"]`)))
	screenshot(t, ctx, "pages-blog-with-button")
	// The frame's link opens a new tab; this tab follows it instead.
	do(t, ctx, "the button", chromedp.Navigate(button), chromedp.WaitVisible(chromedp.CSS("a[data-plaudit-flattr]")))
	href := attrOf(t, ctx, "a[data-plaudit-flattr]", "href")
	if want := b.base() + "/flattr?url=" + url.QueryEscape(note); href != want {
		t.Fatalf("the button links to %s, want B's confirm page %s", href, want)
	}
	do(t, ctx, "B's confirm page", chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(`[data-plaudit-choose] input[name="server"]`)))
	screenshot(t, ctx, "pages-flattr-elsewhere")
	do(t, ctx, "name A",
		chromedp.SetValue(chromedp.CSS(`[data-plaudit-choose] input[name="server"]`), a.base()),
		chromedp.Click(chromedp.CSS(`[data-plaudit-choose] button[type="submit"]`)),
	)
	// B's own sign-in page has a username field too: wait for A's.
	if loc := waitLocation(t, ctx, a.base()+"/login?next="); !strings.HasPrefix(loc, a.base()+"/login?next=") {
		t.Fatalf("after naming A the visitor is at %s, want A's sign-in", loc)
	}
	do(t, ctx, "A's sign-in", chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)))
	do(t, ctx, "sign in on A",
		chromedp.SetValue(chromedp.CSS(`input[name="username"]`), "carol"),
		chromedp.SetValue(chromedp.CSS(`input[name="password"]`), "a long password"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.flattr select[name="weight"]`)),
	)
	if got := textOf(t, ctx, "article.thing"); !strings.Contains(got, "A note worth a flattr") || !strings.Contains(got, b.actor("bob")) {
		t.Errorf("A's confirm page shows %q, want the note and who gets the money", got)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('form.flattr input[name="anonymous"]').checked`))
	if err != nil || !checked {
		t.Errorf("anonymously is not ticked by default (%v)", err)
	}
	screenshot(t, ctx, "pages-flattr-confirm")
	do(t, ctx, "flattr",
		chromedp.SetValue(chromedp.CSS(`form.flattr select[name="weight"]`), "3"),
		chromedp.SetValue(chromedp.CSS("#flattr-tip"), "0.50"),
		chromedp.Click(chromedp.CSS(`form.flattr button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done`)),
	)
	if got := textOf(t, ctx, "p.done"); !strings.Contains(got, "weight 3") || !strings.Contains(got, "anonymously") {
		t.Errorf("after the flattr: %q", got)
	}
	screenshot(t, ctx, "pages-flattr-done")
	eventually(t, "B counts the anonymous flattr of weight 3", func() bool {
		return b.count("SELECT count(*) FROM flattrs WHERE thing_uri = ? AND weight = 3 AND anonymous AND NOT local", note) == 1
	})
	// The browser remembers A: B's button now links to A's confirm page.
	do(t, ctx, "the button again", chromedp.Navigate(button), chromedp.WaitVisible(chromedp.CSS("a[data-plaudit-flattr]")))
	if href := attrOf(t, ctx, "a[data-plaudit-flattr]", "href"); !strings.HasPrefix(href, a.base()+"/flattr?url=") {
		t.Errorf("the button links to %s after choosing A", href)
	}

}

// TestPublicPagesInABrowser: carol@A flattrs bob's note on B; signed
// out, B's thing page shows the flattr (after its few seconds of cache),
// bob's profile lists the note with its ActivityPub link, on a desktop
// and a phone; A's home renders; carol saves her time zone on A; bob's
// creator setup previews the button of the page he types. Screenshots
// pages-*.png.
func TestPublicPagesInABrowser(t *testing.T) {
	ctx := newBrowser(t)
	a := startNodeWith(t, "A", func(c *configs.Config) { c.AutoFlattrKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" })
	b := startNode(t, "B")
	carolToken := a.user("carol")
	bobToken := b.user("bob")
	note := b.publishNote("bob", bobToken, "A note worth a flattr")
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": note, "weight": 2}, http.StatusCreated, nil)
	blog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Bob's blog</title></head><body><h1>Post</h1></body></html>"))
	}))
	t.Cleanup(blog.Close)

	thingPage := b.base() + "/things?url=" + url.QueryEscape(note)
	eventually(t, "B's thing page shows the flattr (its cache is a few seconds)", func() bool {
		do(t, ctx, "B's thing page", chromedp.Navigate(thingPage), chromedp.WaitVisible(chromedp.CSS(`[data-count="flattrs-month"]`)))
		return textOf(t, ctx, `[data-count="flattrs-month"]`) == "1"
	})
	screenshot(t, ctx, "pages-thing")
	do(t, ctx, "bob's profile", chromedp.Navigate(b.base()+"/@bob"), chromedp.WaitVisible(chromedp.CSS("#things")))
	if got := textOf(t, ctx, "#things"); !strings.Contains(got, "A note worth a flattr") {
		t.Errorf("bob's profile lists %q", got)
	}
	if alt := attrOf(t, ctx, `link[rel="alternate"][type="application/activity+json"]`, "href"); alt != b.actor("bob") {
		t.Errorf("bob's profile's ActivityPub link = %q", alt)
	}
	screenshot(t, ctx, "pages-profile")
	do(t, ctx, "phone size", chromedp.EmulateViewport(390, 844))
	screenshot(t, ctx, "pages-profile-phone")
	do(t, ctx, "desktop size", chromedp.EmulateViewport(1000, 900))
	do(t, ctx, "A's home", chromedp.Navigate(a.base()+"/"), chromedp.WaitVisible(chromedp.CSS("#top")))
	screenshot(t, ctx, "pages-home")

	// Carol's settings on A: her time zone.
	browserSignIn(t, ctx, a, "/dashboard/settings", "carol", "#time-zone")
	do(t, ctx, "save a zone",
		chromedp.SetValue(chromedp.CSS("#time-zone"), "Asia/Tokyo"),
		chromedp.Click(chromedp.CSS(`form[action="/dashboard/settings"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.done`)),
	)
	if got := textOf(t, ctx, "#privacy"); !strings.Contains(got, "Now in Asia/Tokyo") {
		t.Errorf("after saving the zone: %q", got)
	}
	// Her home account for auto-flattr: a server that is not one is said
	// beside the field, with the cap she typed kept.
	do(t, ctx, "link a home account",
		chromedp.SetValue(chromedp.CSS("#link-server"), "not a server"),
		chromedp.SetValue(chromedp.CSS("#link-cap"), "25"),
		chromedp.Click(chromedp.CSS(`form[action="/dashboard/settings/autoflattr"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#link-server-err")),
	)
	if cap := attrOf(t, ctx, "#link-cap", "value"); cap != "25" {
		t.Errorf("the cap field after the refusal holds %q, want 25", cap)
	}
	screenshot(t, ctx, "pages-settings")

	// Bob's creator setup on B: the preview follows what he types.
	do(t, ctx, "sign out of A", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
	browserSignIn(t, ctx, b, "/dashboard/creator/setup", "bob", "#button-preview")
	do(t, ctx, "type a page",
		chromedp.Clear(chromedp.CSS("#button-page")),
		chromedp.SendKeys(chromedp.CSS("#button-page"), blog.URL+"/post"),
	)
	want := b.base() + "/button?url=" + url.QueryEscape(blog.URL+"/post")
	eventually(t, "the preview follows the page typed", func() bool {
		return attrOf(t, ctx, "#button-preview", "src") == want
	})
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("button-snippet").value`)); err != nil || !strings.Contains(got, url.QueryEscape(blog.URL+"/post")) {
		t.Errorf("the snippet after typing = %q (%v)", got, err)
	}
	screenshot(t, ctx, "pages-creator-setup")
}

// attrOf is an attribute of the first element matching the CSS selector.
func attrOf(t *testing.T, ctx context.Context, sel, name string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(`+jsString(sel)+`) || {getAttribute: () => ""}).getAttribute(`+jsString(name)+`) || ""`))
	if err != nil {
		t.Fatalf("%s of %s: %v", name, sel, err)
	}
	return v
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// location is the browser's address.
// waitLocation waits up to 10 s for the tab to be at a URL that starts
// with prefix (a navigation under way) and returns where it is.
func waitLocation(t *testing.T, ctx context.Context, prefix string) string {
	t.Helper()
	var loc string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if l, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
			loc = l
			if strings.HasPrefix(loc, prefix) {
				break
			}
		}
	}
	return loc
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
