package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/web"
)

const (
	noteURI  = "https://remote.example/users/bob/statuses/1"
	notePage = "https://remote.example/@bob/1"
	bobURI   = "https://remote.example/users/bob"
)

// buttonFixture is a web server with the thing pages on a real store,
// the count cache off, and one remote Note known with one flattr.
type buttonFixture struct {
	srv      string
	st       *store.Store
	accounts *accounts.Service
}

func newButtonFixture(t *testing.T) *buttonFixture {
	t.Helper()
	srv := newServer(t, nil, func(d *web.Deps, _ *accounts.Service, st *store.Store) {
		d.Things, d.CountCacheTTL = &things.Lookup{Store: st.Things}, -1
	})
	f := &buttonFixture{srv: srv.srv.URL, st: srv.st, accounts: srv.accounts}
	if err := f.st.UpsertThing(context.Background(), &app.Thing{
		URI: noteURI, URL: notePage, Kind: app.ThingNote, Title: "Bob's note", OwnerURI: bobURI, OwnerConfirmed: true, Host: "remote.example",
	}); err != nil {
		t.Fatal(err)
	}
	f.flattr(t, "https://other.example/users/carol", 3)
	return f
}

// flattr records a flattr of the Note by funder and recounts it.
func (f *buttonFixture) flattr(t *testing.T, funder string, weight int) {
	t.Helper()
	ctx := context.Background()
	month := app.MonthOf(time.Now())
	if _, err := f.st.InsertFlattr(ctx, &app.Flattr{
		ActivityURI: funder + "#likes/1", FunderURI: funder, ThingURI: noteURI, OwnerURI: bobURI, Month: month,
		Weight: weight, State: app.FlattrActive,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.RecountThing(ctx, noteURI, month, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// do sends a request and returns the answer with its body read.
func do(t *testing.T, method, u string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

type countOut struct {
	Flattrs struct{ Month, AllTime int64 } `json:"flattrs"`
	Cheers  struct{ Month, AllTime int64 } `json:"cheers"`
	Funders int64                          `json:"funders"`
	Known   bool                           `json:"known"`
}

func (c *countOut) UnmarshalJSON(b []byte) error {
	var raw struct {
		Flattrs map[string]int64 `json:"flattrs"`
		Cheers  map[string]int64 `json:"cheers"`
		Funders int64            `json:"funders"`
		Known   bool             `json:"known"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	c.Flattrs.Month, c.Flattrs.AllTime = raw.Flattrs["month"], raw.Flattrs["all_time"]
	c.Cheers.Month, c.Cheers.AllTime = raw.Cheers["month"], raw.Cheers["all_time"]
	c.Funders, c.Known = raw.Funders, raw.Known
	return nil
}

func TestThingCount(t *testing.T) {
	f := newButtonFixture(t)
	count := func(u string, header http.Header) (*http.Response, countOut) {
		resp, body := do(t, http.MethodGet, f.srv+"/api/v1/things/count?url="+url.QueryEscape(u), header)
		var out countOut
		if resp.StatusCode == http.StatusOK {
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatalf("%s: %v", body, err)
			}
		}
		return resp, out
	}
	// By id and by web page: the same counts and ETag.
	resp, got := count(noteURI, nil)
	if resp.StatusCode != http.StatusOK || got.Flattrs.Month != 1 || got.Flattrs.AllTime != 1 || got.Funders != 1 || !got.Known {
		t.Fatalf("count = %d %+v", resp.StatusCode, got)
	}
	etag := resp.Header.Get("ETag")
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60", "Content-Type": "application/json; charset=utf-8",
	} {
		if resp.Header.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, resp.Header.Get(k), want)
		}
	}
	if !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "ETag") || resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("headers %v", resp.Header)
	}
	resp, _ = count(notePage, nil)
	if resp.Header.Get("ETag") != etag {
		t.Errorf("ETag by page %q, by id %q", resp.Header.Get("ETag"), etag)
	}

	// A matching If-None-Match is a 304 with the headers and no body.
	resp, body := do(t, http.MethodGet, f.srv+"/api/v1/things/count?url="+url.QueryEscape(noteURI), http.Header{"If-None-Match": {`"x", ` + etag}})
	if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("ETag") != etag || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("If-None-Match: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// Another flattr: a new ETag, the old one no longer matches.
	f.flattr(t, "https://other.example/users/dave", 1)
	resp, got = count(noteURI, http.Header{"If-None-Match": {etag}})
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag || got.Flattrs.Month != 2 || got.Funders != 2 {
		t.Fatalf("after a flattr: %d ETag %q %+v", resp.StatusCode, resp.Header.Get("ETag"), got)
	}

	// Unknown: zeros, known false, nothing fetched.
	resp, got = count("https://never.example/page", nil)
	if resp.StatusCode != http.StatusOK || got.Known || got.Flattrs.AllTime != 0 || resp.Header.Get("ETag") == "" {
		t.Fatalf("unknown = %d %+v", resp.StatusCode, got)
	}
	// Bad input: 400 JSON, CORS still open.
	for _, u := range []string{"", "ftp://x.example/", "not a url", "https://x.example/" + strings.Repeat("a", 2100)} {
		resp, body := do(t, http.MethodGet, f.srv+"/api/v1/things/count?url="+url.QueryEscape(u), nil)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error"`) || resp.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("url %.30q: %d %s", u, resp.StatusCode, body)
		}
	}
	// Preflight.
	resp, _ = do(t, http.MethodOptions, f.srv+"/api/v1/things/count?url=x", http.Header{
		"Origin": {"https://blog.example"}, "Access-Control-Request-Method": {"GET"}, "Access-Control-Request-Headers": {"if-none-match"},
	})
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "If-None-Match") || !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "GET") {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = do(t, http.MethodHead, f.srv+"/api/v1/things/count?url="+url.QueryEscape(noteURI), nil)
	if resp.StatusCode != http.StatusOK || body != "" || resp.Header.Get("ETag") == "" {
		t.Fatalf("HEAD: %d %q", resp.StatusCode, body)
	}
}

// TestButtonFrame: the frame shows the count, links to this server's
// confirm page for the page flattred, may be framed by any site, runs
// no inline script and sets no cookie.
func TestButtonFrame(t *testing.T) {
	f := newButtonFixture(t)
	resp, body := do(t, http.MethodGet, f.srv+"/button?url="+url.QueryEscape(notePage), nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /button = %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<span class="count" data-count>1</span>`,
		`href="http://plaudit.test/flattr?url=` + url.QueryEscape(notePage) + `"`,
		`data-url="` + notePage + `"`,
		`data-home="http://plaudit.test"`,
		`<script src="/static/button-frame.js" defer></script>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("button lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Errorf("inline script or style in the button:\n%s", body)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("Set-Cookie") != "" {
		t.Errorf("X-Frame-Options %q, Set-Cookie %q", resp.Header.Get("X-Frame-Options"), resp.Header.Get("Set-Cookie"))
	}
	// Other pages still refuse to be framed.
	resp, _ = do(t, http.MethodGet, f.srv+"/login", nil)
	if resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("/login X-Frame-Options = %q", resp.Header.Get("X-Frame-Options"))
	}
	// A page never flattred shows 0; a bad URL is a plain 400.
	_, body = do(t, http.MethodGet, f.srv+"/button?url="+url.QueryEscape("https://blog.example/new-post"), nil)
	if !strings.Contains(body, `data-count>0</span>`) {
		t.Errorf("unknown page:\n%s", body)
	}
	if resp, _ := do(t, http.MethodGet, f.srv+"/button?url=javascript:alert(1)", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("javascript: URL = %d", resp.StatusCode)
	}
	// The scripts are files, served as JavaScript.
	for _, js := range []string{"/static/button.js", "/static/button-frame.js", "/static/flattr-choose.js"} {
		resp, body := do(t, http.MethodGet, f.srv+js, nil)
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || len(body) < 100 {
			t.Errorf("%s: %d %s", js, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
}

// TestFlattrElsewhere: the visitor's chosen server gets the click.
func TestFlattrElsewhere(t *testing.T) {
	f := newButtonFixture(t)
	for _, tc := range []struct{ server, want string }{
		{"their.example", "https://their.example/flattr?url=" + url.QueryEscape(notePage)},
		{"@carol@Their.Example", "https://their.example/flattr?url=" + url.QueryEscape(notePage)},
		{"http://127.0.0.1:18501/", "http://127.0.0.1:18501/flattr?url=" + url.QueryEscape(notePage)},
		{"https://their.example/some/path", ""},
		{"javascript:alert(1)", ""},
		{"", ""},
	} {
		resp, _ := do(t, http.MethodGet, f.srv+"/flattr/elsewhere?server="+url.QueryEscape(tc.server)+"&url="+url.QueryEscape(notePage), nil)
		switch {
		case tc.want == "" && resp.StatusCode != http.StatusBadRequest:
			t.Errorf("server %q: %d, want 400", tc.server, resp.StatusCode)
		case tc.want != "" && (resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want):
			t.Errorf("server %q: %d to %q, want %q", tc.server, resp.StatusCode, resp.Header.Get("Location"), tc.want)
		}
	}
	// Signed out, /login?next=/flattr… offers the choice, with its script.
	_, body := do(t, http.MethodGet, f.srv+"/login?next="+url.QueryEscape("/flattr?url="+url.QueryEscape(notePage)), http.Header{"Accept": {"text/html"}})
	for _, want := range []string{`action="/flattr/elsewhere"`, `name="url" value="` + notePage + `"`, `src="/static/flattr-choose.js"`, `name="next" value="/flattr?url=`} {
		if !strings.Contains(body, want) {
			t.Errorf("login page lacks %s", want)
		}
	}
}

func TestOEmbed(t *testing.T) {
	f := newButtonFixture(t)
	page := "http://plaudit.test/things?url=" + url.QueryEscape(noteURI)
	resp, body := do(t, http.MethodGet, f.srv+"/oembed?format=json&url="+url.QueryEscape(page), nil)
	var out map[string]any
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("oembed = %d %s", resp.StatusCode, body)
	}
	html, _ := out["html"].(string)
	if out["version"] != "1.0" || out["type"] != "rich" || out["title"] != "Bob's note" || out["author_url"] != bobURI ||
		out["width"] != float64(150) || out["height"] != float64(36) || out["provider_url"] != "http://plaudit.test" ||
		!strings.Contains(html, `<iframe src="http://plaudit.test/button?url=`+url.QueryEscape(noteURI)+`"`) {
		t.Fatalf("oembed = %v", out)
	}
	for _, tc := range []struct {
		query  string
		status int
	}{
		{"format=xml&url=" + url.QueryEscape(page), http.StatusNotImplemented},
		{"url=" + url.QueryEscape("https://elsewhere.example/things?url=x"), http.StatusNotFound},
		{"url=" + url.QueryEscape("http://plaudit.test/things?url="+url.QueryEscape("https://never.example/x")), http.StatusNotFound},
		{"", http.StatusNotFound},
	} {
		if resp, body := do(t, http.MethodGet, f.srv+"/oembed?"+tc.query, nil); resp.StatusCode != tc.status || !strings.Contains(body, "error") {
			t.Errorf("oembed?%s = %d %s, want %d", tc.query, resp.StatusCode, body, tc.status)
		}
	}
	// The thing page shows the counts, never the funders, and links its oEmbed.
	resp, body = do(t, http.MethodGet, f.srv+"/things?url="+url.QueryEscape(noteURI), http.Header{"Accept": {"text/html"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("thing page = %d", resp.StatusCode)
	}
	for _, want := range []string{
		`<link rel="alternate" type="application/json+oembed" href="http://plaudit.test/oembed?format=json&amp;url=` + url.QueryEscape(page) + `"`,
		`<td data-count="flattrs-month">1</td>`, `<td data-count="cheers-all">0</td>`, "Bob&#39;s note", bobURI,
		`href="/flattr?url=` + url.QueryEscape(noteURI) + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("thing page lacks %s", want)
		}
	}
	if strings.Contains(body, "carol") {
		t.Error("the thing page names a funder")
	}
	if resp, _ := do(t, http.MethodGet, f.srv+"/things?url="+url.QueryEscape("https://never.example/x"), http.Header{"Accept": {"text/html"}}); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown thing page = %d", resp.StatusCode)
	}
}

// TestButtonSettings: the creator's page shows both snippets, escaped,
// and previews them; signed out it sends to the sign-in page and back.
func TestButtonSettings(t *testing.T) {
	f := newButtonFixture(t)
	resp, _ := do(t, http.MethodGet, f.srv+"/settings/button", nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fsettings%2Fbutton" {
		t.Fatalf("signed out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, err := f.accounts.CreateUser(context.Background(), "alice", "a long password", false); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	token := formToken(t, c, f.srv, "/login?next=%2Fsettings%2Fbutton")
	resp = postForm(t, c, f.srv+"/login", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"a long password"}, "next": {"/settings/button"}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/settings/button" {
		t.Fatalf("sign in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	body, status := get(t, c, f.srv+"/settings/button?url="+url.QueryEscape("https://blog.example/post?a=1&b=2"))
	enc := url.QueryEscape("https://blog.example/post?a=1&b=2")
	for _, want := range []string{
		// The snippets, shown as text.
		`&lt;a class=&#34;plaudit-button&#34; href=&#34;http://plaudit.test/flattr?url=` + enc + `&#34; data-url=&#34;https://blog.example/post?a=1&amp;amp;b=2&#34;&gt;`,
		`&lt;script async src=&#34;http://plaudit.test/static/button.js&#34;&gt;&lt;/script&gt;`,
		`&lt;iframe src=&#34;http://plaudit.test/button?url=` + enc + `&#34;`,
		// The previews, live.
		`<a class="plaudit-button" href="http://plaudit.test/flattr?url=` + enc + `"`,
		`<script src="/static/button.js" defer></script>`,
		`<iframe src="http://plaudit.test/button?url=` + enc + `"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("settings page (%d) lacks %s", status, want)
		}
	}
	// The default page is the creator's profile; a bad one is refused.
	if body, _ := get(t, c, f.srv+"/settings/button"); !strings.Contains(body, url.QueryEscape("http://plaudit.test/@alice")) {
		t.Error("the default page is not alice's profile")
	}
	if _, status := get(t, c, f.srv+"/settings/button?url=nope"); status != http.StatusBadRequest {
		t.Errorf("bad page: %d", status)
	}
	// Sign-in never sends elsewhere.
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example"} {
		c := browser(t)
		token := formToken(t, c, f.srv, "/login")
		resp := postForm(t, c, f.srv+"/login", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"a long password"}, "next": {next}}, nil)
		if resp.Header.Get("Location") != "/" {
			t.Errorf("next %q: sent to %q", next, resp.Header.Get("Location"))
		}
	}
}
