package instance_test

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// chromium is the path of a Chromium on this machine, or "".
func chromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// dumpDOM loads u in headless Chromium and returns the DOM after its
// scripts ran.
func dumpDOM(t *testing.T, chrome, u string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, chrome, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", u).Output()
	if err != nil {
		t.Fatalf("chromium %s: %v", u, err)
	}
	return string(out)
}

var scriptSnippet = regexp.MustCompile(`(?s)<textarea[^>]*data-snippet="script">(.*?)</textarea>`)

// TestButtonInABrowser: bob copies the script snippet from his button
// settings on B into a blog page served elsewhere on loopback; in a real
// browser, button.js replaces the placeholder with B's button frame for
// that page. Skipped when no Chromium is installed, unless
// PLAUDIT_TEST_BROWSER=required (CI), when it fails.
func TestButtonInABrowser(t *testing.T) {
	chrome := chromium()
	if chrome == "" {
		if os.Getenv("PLAUDIT_TEST_BROWSER") == "required" {
			t.Fatal("PLAUDIT_TEST_BROWSER=required but no chromium is installed")
		}
		t.Skip("no chromium on this machine: the script is checked by web's node test and the HTTP tests")
	}
	b := startNode(t, "B")
	b.user("bob")
	// Written here, read by the blog's handler for a browser the test
	// starts: no happens-before the race detector could see.
	var snippet atomic.Value
	snippet.Store("")
	blog := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte("<!doctype html><html><head><title>Blog</title></head><body><h1>Post</h1>\n" + snippet.Load().(string) + "\n</body></html>"))
	}))
	t.Cleanup(blog.Close)
	post := blog.URL + "/2026/12/post"

	_, page := fetch(t, b.signIn("bob"), http.MethodGet, b.base()+"/settings/button?url="+url.QueryEscape(post), nil, nil)
	m := scriptSnippet.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no script snippet on the settings page:\n%s", page)
	}
	snippet.Store(html.UnescapeString(m[1]))

	dom := dumpDOM(t, chrome, post)
	want := `<iframe src="` + b.base() + `/button?url=` + url.QueryEscape(post) + `"`
	if !strings.Contains(dom, want) || strings.Contains(dom, `class="plaudit-button"`) {
		t.Fatalf("the blog page in a browser lacks %s or kept the placeholder:\n%s", want, dom)
	}
	// The frame itself, in a browser: the count and the link to B's confirm page.
	dom = dumpDOM(t, chrome, b.base()+"/button?url="+url.QueryEscape(post))
	if !strings.Contains(dom, `data-count="">0</span>`) || !strings.Contains(dom, `href="`+b.base()+`/flattr?url=`+url.QueryEscape(post)+`"`) {
		t.Fatalf("the frame in a browser:\n%s", dom)
	}
}
