package instance_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
)

// browserOf is a signed-out browser: a cookie jar, no redirects followed.
func browserOf(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fetch sends a browser request (a form when form is not nil).
func fetch(t *testing.T, c *http.Client, method, u string, form url.Values, header http.Header) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, u, body)
	req.Header.Set("Accept", "text/html")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf_token in\n%s", page)
	}
	return m[1]
}

// signIn signs username in on n in a new browser.
func (n *node) signIn(username string) *http.Client {
	n.t.Helper()
	c := browserOf(n.t)
	_, page := fetch(n.t, c, http.MethodGet, n.base()+"/login", nil, nil)
	resp, _ := fetch(n.t, c, http.MethodPost, n.base()+"/login", url.Values{
		"csrf_token": {csrfOf(n.t, page)}, "username": {username}, "password": {"a long password"},
	}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		n.t.Fatalf("%s: sign-in of %s = %d", n.name, username, resp.StatusCode)
	}
	return c
}

// buttonCount reads n's count endpoint for u.
func (n *node) buttonCount(u, ifNoneMatch string) (status int, etag string, flattrsMonth int64) {
	n.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.base()+"/api/v1/things/count?url="+url.QueryEscape(u), nil)
	if ifNoneMatch != "" {
		req.Header.Set("If-None-Match", ifNoneMatch)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Flattrs struct {
			Month int64 `json:"month"`
		} `json:"flattrs"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			n.t.Fatal(err)
		}
	}
	return resp.StatusCode, resp.Header.Get("ETag"), out.Flattrs.Month
}

// TestFlattrFromTheWeb: carol, signed out on A, follows the button's link
// for a Note of bob@B: she signs in and comes back to the confirm page,
// which resolves the Note on B and names bob as who gets the money; a
// POST without the CSRF token is refused, one with it makes the flattr,
// which reaches B; B's count endpoint then answers a new ETag, and the
// old one no longer gets a 304.
func TestFlattrFromTheWeb(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	a.user("carol")
	bobToken := b.user("bob")
	noteURI := b.publishNote("bob", bobToken, "flattr me from the web")

	status, etag, n := b.buttonCount(noteURI, "")
	if status != http.StatusOK || n != 0 || etag == "" {
		t.Fatalf("count before: %d %q %d", status, etag, n)
	}
	if status, _, _ := b.buttonCount(noteURI, etag); status != http.StatusNotModified {
		t.Fatalf("If-None-Match %s: %d, want 304", etag, status)
	}
	// B's button for the note links to B's confirm page for it.
	_, frame := fetch(t, http.DefaultClient, http.MethodGet, b.base()+"/button?url="+url.QueryEscape(noteURI), nil, nil)
	if !strings.Contains(frame, `href="`+b.base()+`/flattr?url=`+url.QueryEscape(noteURI)+`"`) || !strings.Contains(frame, "data-count>0<") {
		t.Fatalf("B's button:\n%s", frame)
	}
	// carol's own server is A: the chooser sends her there.
	resp, _ := fetch(t, browserOf(t), http.MethodGet, b.base()+"/flattr/elsewhere?server="+url.QueryEscape(a.base())+"&url="+url.QueryEscape(noteURI), nil, nil)
	confirm := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || confirm != a.base()+"/flattr?url="+url.QueryEscape(noteURI) {
		t.Fatalf("chooser: %d to %q", resp.StatusCode, confirm)
	}

	c := browserOf(t)
	resp, _ = fetch(t, c, http.MethodGet, confirm, nil, nil)
	login := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(login, "/login?next=") {
		t.Fatalf("signed out: %d to %q", resp.StatusCode, login)
	}
	_, page := fetch(t, c, http.MethodGet, a.base()+login, nil, nil)
	resp, _ = fetch(t, c, http.MethodPost, a.base()+"/login", url.Values{
		"csrf_token": {csrfOf(t, page)}, "username": {"carol"}, "password": {"a long password"}, "next": {"/flattr?url=" + noteURI},
	}, nil)
	if back := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || back != "/flattr?url="+url.QueryEscape(noteURI) && back != "/flattr?url="+noteURI {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, back)
	}
	resp, page = fetch(t, c, http.MethodGet, confirm, nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, b.actor("bob")) || !strings.Contains(page, `name="url" value="`+noteURI+`"`) ||
		!strings.Contains(page, "flattr me from the web") {
		t.Fatalf("confirm page %d:\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("confirm page CSP %q", csp)
	}
	token := csrfOf(t, page)

	// Without the token: refused, nothing stored.
	resp, _ = fetch(t, c, http.MethodPost, a.base()+"/flattr", url.Values{"url": {noteURI}, "weight": {"4"}}, nil)
	if resp.StatusCode != http.StatusForbidden || a.count("SELECT COUNT(*) FROM flattrs") != 0 {
		t.Fatalf("POST without CSRF: %d, %d flattrs", resp.StatusCode, a.count("SELECT COUNT(*) FROM flattrs"))
	}
	// A weight out of range: refused with the page, nothing stored.
	resp, page = fetch(t, c, http.MethodPost, a.base()+"/flattr", url.Values{"csrf_token": {token}, "url": {noteURI}, "weight": {"11"}}, nil)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, "out of range") || a.count("SELECT COUNT(*) FROM flattrs") != 0 {
		t.Fatalf("weight 11: %d\n%s", resp.StatusCode, page)
	}
	resp, page = fetch(t, c, http.MethodPost, a.base()+"/flattr", url.Values{"csrf_token": {token}, "url": {noteURI}, "weight": {"4"}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Flattred with weight 4") {
		t.Fatalf("POST with CSRF: %d\n%s", resp.StatusCode, page)
	}
	var likeURI string
	a.inst.TestStore().DB().Raw("SELECT activity_uri FROM flattrs WHERE local AND thing_uri = ? AND weight = 4", noteURI).Scan(&likeURI)
	if likeURI == "" {
		t.Fatal("A stored no flattr of weight 4")
	}
	eventually(t, "the flattr on B", func() bool { return b.incomingFlattr(likeURI) != nil })
	if got := b.incomingFlattr(likeURI); got.Weight != 4 || got.FunderURI != a.actor("carol") || got.State != app.FlattrActive {
		t.Fatalf("B recorded %+v", got)
	}
	// B's counts follow within the cache's second: a new ETag.
	var newTag string
	eventually(t, "a new ETag on B", func() bool {
		var status int
		status, newTag, n = b.buttonCount(noteURI, etag)
		return status == http.StatusOK && newTag != etag && n == 1
	})
	if status, _, _ := b.buttonCount(noteURI, newTag); status != http.StatusNotModified {
		t.Errorf("If-None-Match %s: %d, want 304", newTag, status)
	}
	time.Sleep(1100 * time.Millisecond) // past B's count cache
	_, frame = fetch(t, http.DefaultClient, http.MethodGet, b.base()+"/button?url="+url.QueryEscape(noteURI), nil, nil)
	if !strings.Contains(frame, "data-count>1<") {
		t.Errorf("B's button after the flattr:\n%s", frame)
	}
	// Confirming again shows this month's flattr and changes its weight.
	_, page = fetch(t, c, http.MethodGet, confirm, nil, nil)
	if !strings.Contains(page, "with weight 4; confirming again changes the weight") || !strings.Contains(page, `<option value="4" selected>`) {
		t.Errorf("confirm page after the flattr:\n%s", page)
	}
	// dave flattrs anonymously from the form.
	a.user("dave")
	dc := a.signIn("dave")
	_, page = fetch(t, dc, http.MethodGet, confirm, nil, nil)
	resp, page = fetch(t, dc, http.MethodPost, a.base()+"/flattr", url.Values{"csrf_token": {csrfOf(t, page)}, "url": {noteURI}, "weight": {"2"}, "anonymous": {"1"}}, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "anonymously") ||
		a.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND anonymous AND weight = 2", a.actor("dave")) != 1 {
		t.Fatalf("anonymous flattr from the form: %d\n%s", resp.StatusCode, page)
	}
	// bob's own note: no form on his confirm page.
	_, page = fetch(t, b.signIn("bob"), http.MethodGet, b.base()+"/flattr?url="+url.QueryEscape(noteURI), nil, nil)
	if !strings.Contains(page, "This is yours") || strings.Contains(page, `action="/flattr" class="flattr"`) {
		t.Errorf("bob's confirm page of his own note:\n%s", page)
	}

	// On A, the thing page shows the Note with carol's flattr and no funder.
	_, page = fetch(t, http.DefaultClient, http.MethodGet, a.base()+"/things?url="+url.QueryEscape(noteURI), nil, nil)
	if !strings.Contains(page, `<td data-count="flattrs-month">2</td>`) || strings.Contains(page, "carol") || strings.Contains(page, "dave") {
		t.Errorf("A's thing page:\n%s", page)
	}
}
