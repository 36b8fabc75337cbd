package instance_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	gomastodon "github.com/mattn/go-mastodon"
)

// ivoryRedirect is the redirect URI Ivory registers: a custom scheme.
const ivoryRedirect = "com.tapbots.Ivory.10217:/request_token"

// browser is a cookie-keeping HTTP client that stops at redirects to
// other schemes (an app's redirect URI), as a browser hands them over.
func browser(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([a-z_]+)" value="([^"]*)">`)

// formFields reads the hidden inputs of an HTML page.
func formFields(page string) url.Values {
	v := url.Values{}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// authorize drives the authorization page as a person would: open the
// app's authorize URL signed out, sign in as username on the login page
// it leads to, approve on the consent page. It returns the redirect the
// app receives.
func (n *node) authorize(br *http.Client, username string, q url.Values) *url.URL {
	n.t.Helper()
	return n.decide(br, username, q, "approve")
}

// decide is authorize with the user's decision, approve or deny.
func (n *node) decide(br *http.Client, username string, q url.Values, decision string) *url.URL {
	n.t.Helper()
	t := n.t
	resp, err := br.Get(n.base() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/login"`) {
		t.Fatalf("signed out, authorize led to %s %d, not the login page", resp.Request.URL, resp.StatusCode)
	}
	login := formFields(page)
	login.Set("username", username)
	login.Set("password", "a long password")
	resp, err = br.PostForm(n.base()+"/login", login)
	if err != nil {
		t.Fatal(err)
	}
	page = readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, `action="/oauth/authorize"`) {
		t.Fatalf("after sign-in: %s %d, not the consent page: %s", resp.Request.URL, resp.StatusCode, page)
	}
	consent := formFields(page)
	if consent.Get("code_challenge") != q.Get("code_challenge") {
		t.Fatalf("the challenge did not survive the login: %q", consent.Get("code_challenge"))
	}
	if consent.Get("csrf_token") == "" {
		t.Fatal("the consent page has no CSRF token")
	}
	// Without the CSRF token the consent is refused.
	noCSRF := url.Values{}
	for k, v := range consent {
		if k != "csrf_token" {
			noCSRF[k] = v
		}
	}
	noCSRF.Set("decision", "approve")
	resp, err = br.PostForm(n.base()+"/oauth/authorize", noCSRF)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("consent without CSRF token = %d, want 403", resp.StatusCode)
	}
	consent.Set("decision", decision)
	resp, err = br.PostForm(n.base()+"/oauth/authorize", consent)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("consent = %d %s, want 302", resp.StatusCode, body)
	}
	to, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return to
}

// tokenRequest posts to /oauth/token and decodes the answer.
func (n *node) tokenRequest(form url.Values, asJSON bool) (int, map[string]any) {
	n.t.Helper()
	var resp *http.Response
	var err error
	if asJSON {
		body := map[string]string{}
		for k := range form {
			body[k] = form.Get(k)
		}
		b, _ := json.Marshal(body)
		resp, err = http.Post(n.base()+"/oauth/token", "application/json", strings.NewReader(string(b)))
	} else {
		resp, err = http.PostForm(n.base()+"/oauth/token", form)
	}
	if err != nil {
		n.t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(readAll(n.t, resp)), &out); err != nil {
		n.t.Fatalf("token answer is not JSON: %v", err)
	}
	return resp.StatusCode, out
}

func pkce(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestMastodonAppSignIn: an app registers (form through go-mastodon, JSON
// by hand), its user signs in through the login and consent pages with
// PKCE, the code becomes a token once (not with a wrong verifier, not
// twice), and go-mastodon reads the account and the instance with it; a
// read-only token cannot favourite; a revoked token is refused.
func TestMastodonAppSignIn(t *testing.T) {
	a := startNode(t, "A")
	a.user("carol")
	ctx := context.Background()

	reg, err := gomastodon.RegisterApp(ctx, &gomastodon.AppConfig{
		Server: a.base(), ClientName: "Ivory", RedirectURIs: ivoryRedirect + "\n" + "urn:ietf:wg:oauth:2.0:oob",
		Scopes: "read write follow", Website: "https://tapbots.com/ivory/",
	})
	if err != nil {
		t.Fatal(err)
	}
	if reg.ClientID == "" || reg.ClientSecret == "" {
		t.Fatalf("app = %+v", reg)
	}
	var jsonApp map[string]any
	a.apiJSON(http.MethodPost, "/api/v1/apps", "", map[string]any{
		"client_name": "Elk", "redirect_uris": []string{"https://elk.zone/api/callback"}, "scopes": "read",
	}, http.StatusOK, &jsonApp)
	checkFields(t, "Application", jsonApp, "testdata/mastodon/application.txt", "client_id", "client_secret")
	a.apiJSON(http.MethodPost, "/api/v1/apps", "", map[string]any{"client_name": "Bad", "redirect_uris": "/relative"}, http.StatusUnprocessableEntity, nil)

	// Bad requests get an error page, never a redirect to the app.
	for name, bad := range map[string]url.Values{
		"unregistered redirect": {"client_id": {reg.ClientID}, "redirect_uri": {ivoryRedirect + "x"}, "response_type": {"code"}},
		"no redirect":           {"client_id": {reg.ClientID}, "response_type": {"code"}},
		"unknown client":        {"client_id": {"nope"}, "redirect_uri": {ivoryRedirect}, "response_type": {"code"}},
		"plain PKCE":            {"client_id": {reg.ClientID}, "redirect_uri": {ivoryRedirect}, "response_type": {"code"}, "code_challenge": {strings.Repeat("a", 43)}, "code_challenge_method": {"plain"}},
		"implicit":              {"client_id": {reg.ClientID}, "redirect_uri": {ivoryRedirect}, "response_type": {"token"}},
	} {
		resp, err := browser(t).Get(a.base() + "/oauth/authorize?" + bad.Encode())
		if err != nil {
			t.Fatal(err)
		}
		if readAll(t, resp); resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, resp.StatusCode)
		}
	}

	verifier := "a-verifier-of-at-least-forty-three-characters-in-length"
	q := url.Values{
		"client_id": {reg.ClientID}, "redirect_uri": {ivoryRedirect}, "response_type": {"code"},
		"scope": {"read write"}, "state": {"xyz"}, "code_challenge": {pkce(verifier)}, "code_challenge_method": {"S256"},
	}
	to := a.authorize(browser(t), "carol", q)
	if to.Scheme != "com.tapbots.ivory.10217" || to.Query().Get("state") != "xyz" || to.Query().Get("code") == "" {
		t.Fatalf("the app got %s", to)
	}
	code := to.Query().Get("code")
	if denied := a.decide(browser(t), "carol", q, "deny"); denied.Query().Get("error") != "access_denied" || denied.Query().Get("code") != "" || denied.Query().Get("state") != "xyz" {
		t.Fatalf("denied, the app got %s", denied)
	}
	exchange := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {ivoryRedirect},
		"client_id": {reg.ClientID}, "client_secret": {reg.ClientSecret}, "code_verifier": {"a-wrong-verifier-of-at-least-forty-three-characters"},
	}
	if status, out := a.tokenRequest(exchange, true); status != http.StatusBadRequest || out["error"] != "invalid_grant" || out["access_token"] != nil {
		t.Fatalf("wrong verifier: %d %v", status, out)
	}
	// The wrong verifier used the code up; a new one with the right
	// verifier works, once.
	code = a.authorize(browser(t), "carol", q).Query().Get("code")
	exchange.Set("code", code)
	exchange.Set("code_verifier", verifier)
	status, tok := a.tokenRequest(exchange, false)
	if status != http.StatusOK || tok["access_token"] == nil || tok["scope"] != "read write" || tok["token_type"] != "Bearer" {
		t.Fatalf("token: %d %v", status, tok)
	}
	checkFields(t, "Token", tok, "testdata/mastodon/token.txt")
	if status, out := a.tokenRequest(exchange, false); status != http.StatusBadRequest || out["access_token"] != nil {
		t.Fatalf("code used twice: %d %v", status, out)
	}
	// Racing requests with one code: one token at most.
	exchange.Set("code", a.authorize(browser(t), "carol", q).Query().Get("code"))
	results := make(chan int, 8)
	for range 8 {
		go func() {
			resp, err := http.PostForm(a.base()+"/oauth/token", exchange)
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	granted := 0
	for range 8 {
		if <-results == http.StatusOK {
			granted++
		}
	}
	if granted != 1 {
		t.Fatalf("8 racing exchanges of one code got %d tokens, want 1", granted)
	}
	// The code must go back with the redirect URI it was sent to.
	exchange.Set("code", a.authorize(browser(t), "carol", q).Query().Get("code"))
	exchange.Set("redirect_uri", "urn:ietf:wg:oauth:2.0:oob")
	if status, out := a.tokenRequest(exchange, false); status == http.StatusOK || out["access_token"] != nil {
		t.Fatalf("another redirect URI: %d %v", status, out)
	}
	exchange.Set("redirect_uri", ivoryRedirect)
	// A wrong client secret gets nothing.
	exchange.Set("code", a.authorize(browser(t), "carol", q).Query().Get("code"))
	exchange.Set("client_secret", "wrong")
	if status, out := a.tokenRequest(exchange, false); status != http.StatusUnauthorized || out["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", status, out)
	}
	exchange.Set("client_secret", reg.ClientSecret)
	// A code asked with a challenge gets no token without the verifier
	// (go-mastodon sends none).
	code = a.authorize(browser(t), "carol", q).Query().Get("code")
	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret})
	if err := c.GetUserAccessToken(ctx, code, ivoryRedirect); err == nil {
		t.Fatal("a code with a challenge was exchanged without a verifier")
	}

	c = gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: tok["access_token"].(string)})
	me, err := c.GetAccountCurrentUser(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.Username != "carol" || me.Acct != "carol" || me.ID == "" {
		t.Fatalf("verify_credentials = %+v", me)
	}
	raw := map[string]any{}
	a.api(http.MethodGet, "/api/v1/accounts/verify_credentials", tok["access_token"].(string), http.StatusOK, &raw)
	checkFields(t, "CredentialAccount", raw, "testdata/mastodon/account.txt", "source", "role")
	inst, err := c.GetInstance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(inst.Version, "4.3.0 (compatible; Plaudit ") || inst.URI != a.addr {
		t.Fatalf("instance v1 = %+v", inst)
	}
	raw = map[string]any{}
	a.api(http.MethodGet, "/api/v1/instance", "", http.StatusOK, &raw)
	checkFields(t, "V1::Instance", raw, "testdata/mastodon/instance_v1.txt")
	raw = map[string]any{}
	a.api(http.MethodGet, "/api/v2/instance", "", http.StatusOK, &raw)
	checkFields(t, "Instance", raw, "testdata/mastodon/instance_v2.txt")
	if raw["api_versions"].(map[string]any)["mastodon"] != float64(2) || !strings.HasPrefix(raw["version"].(string), "4.3.0 (compatible; Plaudit ") {
		t.Fatalf("instance v2 version = %v, api_versions = %v", raw["version"], raw["api_versions"])
	}
	raw = map[string]any{}
	a.api(http.MethodGet, "/.well-known/oauth-authorization-server", "", http.StatusOK, &raw)
	if methods, _ := raw["code_challenge_methods_supported"].([]any); len(methods) != 1 || methods[0] != "S256" {
		t.Fatalf("metadata = %v", raw)
	}

	// A read-only token (Elk's app, out of band here) cannot favourite.
	readApp, err := gomastodon.RegisterApp(ctx, &gomastodon.AppConfig{Server: a.base(), ClientName: "Reader", Scopes: "read"})
	if err != nil {
		t.Fatal(err)
	}
	br := browser(t)
	resp, err := br.Get(a.base() + "/oauth/authorize?" + url.Values{"client_id": {readApp.ClientID}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "response_type": {"code"}, "scope": {"write"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("a scope the app did not register = %d, want 400", resp.StatusCode)
	}
	readToken := a.oobToken(readApp, "carol", "read")
	raw = map[string]any{}
	a.api(http.MethodPost, "/api/v1/statuses/1/favourite", readToken, http.StatusForbidden, &raw)
	if raw["error"] == nil {
		t.Fatalf("403 without an error: %v", raw)
	}

	// Revoked, the token is refused.
	revoke := url.Values{"client_id": {readApp.ClientID}, "client_secret": {readApp.ClientSecret}, "token": {readToken}}
	resp, err = http.PostForm(a.base()+"/oauth/revoke", revoke)
	if err != nil {
		t.Fatal(err)
	}
	if readAll(t, resp); resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke = %d", resp.StatusCode)
	}
	a.api(http.MethodGet, "/api/v1/accounts/verify_credentials", readToken, http.StatusUnauthorized, nil)

	// client_credentials: an app token, which is no user.
	ac := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), ClientID: reg.ClientID, ClientSecret: reg.ClientSecret})
	if err := ac.GetAppAccessToken(ctx, ivoryRedirect); err != nil {
		t.Fatal(err)
	}
	raw = map[string]any{}
	a.api(http.MethodGet, "/api/v1/apps/verify_credentials", ac.Config.AccessToken, http.StatusOK, &raw)
	if raw["name"] != "Ivory" {
		t.Fatalf("app verify_credentials = %v", raw)
	}
	a.api(http.MethodGet, "/api/v1/accounts/verify_credentials", ac.Config.AccessToken, http.StatusUnauthorized, nil)
}

// oobToken signs username in to app with the out-of-band redirect: the
// code is shown on the page and pasted into the app.
func (n *node) oobToken(app *gomastodon.Application, username, scope string) string {
	n.t.Helper()
	br := browser(n.t)
	q := url.Values{"client_id": {app.ClientID}, "redirect_uri": {"urn:ietf:wg:oauth:2.0:oob"}, "response_type": {"code"}, "scope": {scope}}
	resp, err := br.Get(n.base() + "/oauth/authorize?" + q.Encode())
	if err != nil {
		n.t.Fatal(err)
	}
	login := formFields(readAll(n.t, resp))
	login.Set("username", username)
	login.Set("password", "a long password")
	resp, err = br.PostForm(n.base()+"/login", login)
	if err != nil {
		n.t.Fatal(err)
	}
	consent := formFields(readAll(n.t, resp))
	consent.Set("decision", "approve")
	resp, err = br.PostForm(n.base()+"/oauth/authorize", consent)
	if err != nil {
		n.t.Fatal(err)
	}
	page := readAll(n.t, resp)
	m := regexp.MustCompile(`<input readonly value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		n.t.Fatalf("no code on the page: %d %s", resp.StatusCode, page)
	}
	c := gomastodon.NewClient(&gomastodon.Config{Server: n.base(), ClientID: app.ClientID, ClientSecret: app.ClientSecret})
	if err := c.GetUserAccessToken(context.Background(), m[1], "urn:ietf:wg:oauth:2.0:oob"); err != nil {
		n.t.Fatal(err)
	}
	return c.Config.AccessToken
}

// checkFields checks obj field by field against the entity's attributes
// listed in file (one a line, # for comments): each is present, and obj
// has nothing else but extra and Plaudit's own plaudit_* fields.
func checkFields(t *testing.T, entity string, obj map[string]any, file string, extra ...string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range extra {
		known[f] = true
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.TrimSpace(line); f != "" && !strings.HasPrefix(f, "#") {
			known[f] = true
		}
	}
	for f := range known {
		if _, ok := obj[f]; !ok {
			t.Errorf("%s lacks %s", entity, f)
		}
	}
	for f := range obj {
		if !known[f] && !strings.HasPrefix(f, "plaudit_") {
			t.Errorf("%s has %s, which Mastodon does not document", entity, f)
		}
	}
}

// TestFavouriteAcrossInstances: carol signs in to A from a Mastodon app,
// searches bob's post on B by its URL with resolve, favourites it and B
// receives a Like of weight 1 from her; favouriting again changes
// nothing; unfavouriting sends the Undo. What apps call at start-up
// answers empty, and an unknown API route a JSON 404.
func TestFavouriteAcrossInstances(t *testing.T) {
	a, b := startNode(t, "A"), startNode(t, "B")
	a.user("carol")
	bobToken := b.user("bob")
	noteURI := b.publishNote("bob", bobToken, "favourite me")
	ctx := context.Background()
	reg, err := gomastodon.RegisterApp(ctx, &gomastodon.AppConfig{Server: a.base(), ClientName: "Tusky", Scopes: "read write"})
	if err != nil {
		t.Fatal(err)
	}
	token := a.oobToken(reg, "carol", "read write")
	c := gomastodon.NewClient(&gomastodon.Config{Server: a.base(), AccessToken: token})

	if res, err := c.Search(ctx, noteURI, false); err != nil || len(res.Statuses) != 0 {
		t.Fatalf("search without resolve = %+v, %v", res, err)
	}
	res, err := c.Search(ctx, noteURI, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Statuses) != 1 || res.Statuses[0].URI != noteURI || res.Statuses[0].Favourited != false {
		t.Fatalf("search = %+v", res)
	}
	id := res.Statuses[0].ID
	if acct := res.Statuses[0].Account.Acct; acct != "bob@"+b.addr {
		t.Fatalf("the status's account is %q", acct)
	}
	st, err := c.Favourite(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Favourited != true || st.ID != id {
		t.Fatalf("favourite = %+v", st)
	}
	carolLikes := func(state string) int64 {
		return b.count("SELECT COUNT(*) FROM flattrs WHERE funder_uri = ? AND thing_uri = ? AND weight = 1 AND state = ?", a.actor("carol"), noteURI, state)
	}
	eventually(t, "carol's weighted Like on B", func() bool { return carolLikes("active") == 1 })
	if _, err := c.Favourite(ctx, id); err != nil {
		t.Fatal(err)
	}
	if n := a.count("SELECT COUNT(*) FROM flattrs WHERE local AND thing_uri = ?", noteURI); n != 1 {
		t.Fatalf("A has %d flattrs of the note after favouriting twice, want 1", n)
	}
	raw := map[string]any{}
	a.api(http.MethodGet, "/api/v1/statuses/"+string(id), token, http.StatusOK, &raw)
	checkFields(t, "Status", raw, "testdata/mastodon/status.txt")
	checkFields(t, "Account", raw["account"].(map[string]any), "testdata/mastodon/account.txt")
	if raw["favourited"] != true || raw["plaudit_weight"] != float64(1) {
		t.Fatalf("status = %v", raw)
	}

	favs, err := c.GetFavourites(ctx, nil)
	if err != nil || len(favs) != 1 || favs[0].ID != id || favs[0].Favourited != true {
		t.Fatalf("favourites = %+v, %v", favs, err)
	}
	st, err = c.Unfavourite(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if st.Favourited == true {
		t.Fatalf("unfavourite = %+v", st)
	}
	eventually(t, "the Undo on B", func() bool { return carolLikes("undone") == 1 })
	if st, err = c.GetStatus(ctx, id); err != nil || st.Favourited == true {
		t.Fatalf("status after unfavourite = %+v, %v", st, err)
	}
	if favs, err := c.GetFavourites(ctx, nil); err != nil || len(favs) != 0 {
		t.Fatalf("favourites after unfavourite = %+v, %v", favs, err)
	}

	// Unknown statuses and routes: Mastodon-style JSON 404s.
	for _, path := range []string{"/api/v1/statuses/999999", "/api/v1/statuses/abc", "/api/v1/no_such_thing", "/api/v3/whatever"} {
		out := map[string]any{}
		a.api(http.MethodGet, path, token, http.StatusNotFound, &out)
		if _, ok := out["error"].(string); !ok {
			t.Errorf("%s answered %v, not {\"error\": …}", path, out)
		}
	}
	// What apps ask at start-up answers an empty result.
	if fs, err := c.GetFilters(ctx); err != nil || len(fs) != 0 {
		t.Fatalf("filters = %v, %v", fs, err)
	}
	if ls, err := c.GetLists(ctx); err != nil || len(ls) != 0 {
		t.Fatalf("lists = %v, %v", ls, err)
	}
	for _, path := range []string{
		"/api/v2/filters", "/api/v1/markers?timeline[]=home", "/api/v1/custom_emojis", "/api/v1/announcements",
		"/api/v1/followed_tags", "/api/v1/trends", "/api/v1/trends/statuses", "/api/v1/preferences",
		"/api/v2/notifications/policy", "/api/v1/notifications", "/api/v1/timelines/home",
	} {
		a.api(http.MethodGet, path, token, http.StatusOK, nil)
	}
	// A token without write cannot favourite; without a token is 401.
	a.api(http.MethodPost, "/api/v1/statuses/"+string(id)+"/favourite", "", http.StatusUnauthorized, nil)
}
