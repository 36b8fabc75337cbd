package web_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/web"
)

type pinger struct{ err error }

func (p pinger) Ping(context.Context) error { return p.err }

type fixture struct {
	srv      *httptest.Server
	accounts *accounts.Service
}

func newFixture(t *testing.T, health map[string]web.Pinger) *fixture {
	t.Helper()
	st := storetest.Open(t)
	acc, err := accounts.New(st, accounts.Options{
		SignupMode: accounts.SignupOpen,
		Argon2:     &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32},
	})
	if err != nil {
		t.Fatal(err)
	}
	if health == nil {
		health = map[string]web.Pinger{"database": st}
	}
	h, err := web.New(web.Deps{Accounts: acc, Health: health, Domain: "plaudit.test", BaseURL: "http://plaudit.test", BodyLimit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, accounts: acc}
}

// browser is an HTTP client with a cookie jar that does not follow redirects.
func browser(t *testing.T) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfInput = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// formToken GETs path and returns the CSRF token of its form.
func formToken(t *testing.T, c *http.Client, base, path string) string {
	t.Helper()
	body, status := get(t, c, base+path)
	if status != http.StatusOK {
		t.Fatalf("GET %s = %d", path, status)
	}
	m := csrfInput.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("GET %s: no csrf_token in the form", path)
	}
	return m[1]
}

func get(t *testing.T, c *http.Client, u string) (string, int) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

func postForm(t *testing.T, c *http.Client, u string, form url.Values, header http.Header) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestLoginWithCLIUser(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.accounts.CreateUser(context.Background(), "alice", "a long password", false); err != nil {
		t.Fatal(err)
	}
	c := browser(t)
	token := formToken(t, c, f.srv.URL, "/login")

	resp := postForm(t, c, f.srv.URL+"/login", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"wrong password"}}, nil)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: status %d, want 401", resp.StatusCode)
	}
	resp = postForm(t, c, f.srv.URL+"/login", url.Values{"csrf_token": {token}, "username": {"alice"}, "password": {"a long password"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d, want 303", resp.StatusCode)
	}
	body, _ := get(t, c, f.srv.URL+"/")
	if !strings.Contains(body, "Signed in as <strong>@alice@plaudit.test</strong>") {
		t.Fatalf("home page after login does not show the user:\n%s", body)
	}
	resp = postForm(t, c, f.srv.URL+"/logout", url.Values{"csrf_token": {token}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: status %d", resp.StatusCode)
	}
	if body, _ := get(t, c, f.srv.URL+"/"); strings.Contains(body, "Signed in as") {
		t.Fatal("still signed in after logout")
	}
}

func TestCSRFRejected(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.accounts.CreateUser(context.Background(), "alice", "a long password", false); err != nil {
		t.Fatal(err)
	}
	good := func(c *http.Client) string { return formToken(t, c, f.srv.URL, "/login") }
	cases := map[string]struct {
		token  func(c *http.Client) string
		header http.Header
	}{
		"no token":           {token: func(c *http.Client) string { good(c); return "" }},
		"wrong token":        {token: func(c *http.Client) string { good(c); return strings.Repeat("x", 43) }},
		"no cookie":          {token: func(*http.Client) string { return strings.Repeat("y", 43) }},
		"cross-site browser": {token: good, header: http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		"foreign origin":     {token: good, header: http.Header{"Origin": {"https://evil.example"}}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := browser(t)
			form := url.Values{"username": {"alice"}, "password": {"a long password"}}
			if tok := tc.token(c); tok != "" {
				form.Set("csrf_token", tok)
			}
			resp := postForm(t, c, f.srv.URL+"/login", form, tc.header)
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			for _, ck := range resp.Cookies() {
				if ck.Name == "plaudit_session" && ck.Value != "" {
					t.Fatal("a session was started despite the CSRF failure")
				}
			}
		})
	}
}

func TestSignupOpen(t *testing.T) {
	f := newFixture(t, nil)
	c := browser(t)
	token := formToken(t, c, f.srv.URL, "/signup")
	resp := postForm(t, c, f.srv.URL+"/signup", url.Values{"csrf_token": {token}, "username": {"Newbie"}, "password": {"a long password"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signup: status %d", resp.StatusCode)
	}
	if body, _ := get(t, c, f.srv.URL+"/"); !strings.Contains(body, "@newbie@plaudit.test") {
		t.Fatal("not signed in after sign-up")
	}
	resp = postForm(t, browser(t), f.srv.URL+"/signup", url.Values{"username": {"x"}, "password": {"a long password"}}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-up without CSRF token: %d, want 403", resp.StatusCode)
	}
}

func TestHealthz(t *testing.T) {
	for name, tc := range map[string]struct {
		health map[string]web.Pinger
		want   int
		body   string
	}{
		"all up":    {map[string]web.Pinger{"database": pinger{}, "redis": pinger{}}, 200, `"status":"ok"`},
		"redis out": {map[string]web.Pinger{"database": pinger{}, "redis": pinger{errors.New("dial tcp 10.1.2.3:6379: connection refused")}}, 503, `"redis":"unavailable"`},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, tc.health)
			body, status := get(t, http.DefaultClient, f.srv.URL+"/healthz")
			if status != tc.want || !strings.Contains(body, tc.body) {
				t.Fatalf("healthz = %d %s, want %d with %s", status, body, tc.want, tc.body)
			}
			if strings.Contains(body, "10.1.2.3") || strings.Contains(body, "refused") {
				t.Fatalf("healthz shows the raw dependency error: %s", body)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	f := newFixture(t, nil)
	big := strings.Repeat("a", 2<<20)
	resp, err := http.Post(f.srv.URL+"/login", "application/x-www-form-urlencoded", strings.NewReader("username="+big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("2 MiB body: status %d, want 413", resp.StatusCode)
	}
}

func TestBearerAPI(t *testing.T) {
	f := newFixture(t, nil)
	ctx := context.Background()
	if _, err := f.accounts.CreateUser(ctx, "alice", "a long password", false); err != nil {
		t.Fatal(err)
	}
	token, err := f.accounts.CreateToken(ctx, "alice", "test")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, bearer string) (int, string) {
		req, _ := http.NewRequest(method, f.srv.URL+path, nil)
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for name, tc := range map[string]struct {
		method, path, bearer string
		want                 int
		body                 string
	}{
		"me":              {"GET", "/api/v1/me", token, 200, `"acct":"alice@plaudit.test"`},
		"me anonymous":    {"GET", "/api/v1/me", "", 401, `"error"`},
		"me wrong token":  {"GET", "/api/v1/me", "plt_wrong", 401, `invalid bearer token`},
		"admin forbidden": {"POST", "/api/v1/admin/invites", token, 403, `only admins`},
		"unknown route":   {"GET", "/api/v1/nothing", token, 404, `"error"`},
	} {
		t.Run(name, func(t *testing.T) {
			status, body := call(tc.method, tc.path, tc.bearer)
			if status != tc.want || !strings.Contains(body, tc.body) {
				t.Fatalf("%s %s = %d %s, want %d with %s", tc.method, tc.path, status, body, tc.want, tc.body)
			}
		})
	}
}

func TestErrorStatus(t *testing.T) {
	if got := web.ErrorStatus(app.Errorf(app.ECONFLICT, "x")); got != http.StatusConflict {
		t.Fatalf("conflict → %d", got)
	}
	if got := web.ErrorStatus(errors.New("boom")); got != http.StatusInternalServerError {
		t.Fatalf("plain error → %d", got)
	}
	if got := web.ErrorStatus(fmt.Errorf("like: %w", app.Errorf(app.EUNAVAILABLE, "remote answered 500"))); got != http.StatusBadGateway {
		t.Fatalf("a remote server's failure → %d, want 502", got)
	}
}

func TestProfilePage(t *testing.T) {
	f := newFixture(t, nil)
	if _, err := f.accounts.CreateUser(context.Background(), "Carol", "a long password", false); err != nil {
		t.Fatal(err)
	}
	body, status := get(t, http.DefaultClient, f.srv.URL+"/@carol")
	if status != 200 || !strings.Contains(body, "@carol@plaudit.test") || !strings.Contains(body, `href="http://plaudit.test/users/carol"`) {
		t.Fatalf("profile = %d\n%s", status, body)
	}
	if _, status := get(t, http.DefaultClient, f.srv.URL+"/@nobody"); status != 404 {
		t.Fatalf("unknown profile = %d, want 404", status)
	}
}

func TestCookiesSecureOnHTTPS(t *testing.T) {
	st := storetest.Open(t)
	acc, err := accounts.New(st, accounts.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for base, secure := range map[string]bool{"https://plaudit.test": true, "http://localhost:8080": false} {
		h, err := web.New(web.Deps{Accounts: acc, Domain: "plaudit.test", BaseURL: base, BodyLimit: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
		cookies := rec.Result().Cookies()
		if len(cookies) == 0 {
			t.Fatalf("%s: no cookie set on the login page", base)
		}
		for _, c := range cookies {
			if c.Secure != secure || !c.HttpOnly {
				t.Errorf("%s: cookie %s Secure=%v HttpOnly=%v, want Secure=%v HttpOnly", base, c.Name, c.Secure, c.HttpOnly, secure)
			}
		}
	}
}
