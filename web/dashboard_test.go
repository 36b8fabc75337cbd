package web_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/things"
	"github.com/plaudit/plaudit/web"
)

// dashboardFixture is a server with the dashboards on fake money: carol
// funds two things (flattrs 1 and 2), bob one (flattr 3); bob is also a
// creator with earnings, a payout and a claim.
type dashboardFixture struct {
	*server
	money *money
}

func newDashboardFixture(t *testing.T) *dashboardFixture {
	t.Helper()
	m := newMoney()
	srv := newServer(t, nil, func(d *web.Deps, _ *accounts.Service, st *store.Store) {
		d.Currency = "EUR"
		d.Funding, d.Flattrs, d.Statements, d.Claims, d.TopUps, d.Subscriptions = m, m, m, claimsFake{m}, m, m
		d.OwnedThings = &things.Lookup{Store: st.Things}
	})
	if err := srv.st.UpsertThing(context.Background(), &app.Thing{URI: base + "/users/bob/posts/2", URL: base + "/users/bob/posts/2",
		Kind: app.ThingNote, Title: "Bob's second post", OwnerURI: base + "/users/bob", OwnerConfirmed: true, Host: "plaudit.test", Local: true}); err != nil {
		t.Fatal(err)
	}
	srv.mustUser(t, "carol", false)
	srv.mustUser(t, "bob", false)
	m.add(1, "carol", "https://remote.example/notes/one", "Note one", 1)
	m.add(2, "carol", "https://remote.example/notes/two", "Note two", 3)
	m.add(3, "bob", "https://remote.example/notes/three", "Bob's flattr", 2)
	m.wallet[base+"/users/carol"], m.budget[base+"/users/carol"] = 1000, 400
	return &dashboardFixture{server: srv, money: m}
}

// signIn returns a browser signed in as username.
func (f *dashboardFixture) signIn(t *testing.T, username string) *http.Client {
	t.Helper()
	c := browser(t)
	token := formToken(t, c, f.srv.URL, "/login")
	resp := postForm(t, c, f.srv.URL+"/login", url.Values{"csrf_token": {token}, "username": {username}, "password": {"a long password"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s = %d", username, resp.StatusCode)
	}
	return c
}

// page GETs path and checks what every page must be: well-formed HTML,
// a CSP without inline scripts, nothing loaded from elsewhere.
func (f *dashboardFixture) page(t *testing.T, c *http.Client, path, lang string) *html.Node {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", path, resp.StatusCode, body)
	}
	return checkPage(t, resp.Header, string(body))
}

// checkPage parses a page: every element closed in order, unique ids,
// a CSP header that allows only this server's scripts, and no resource
// from another origin.
func checkPage(t *testing.T, h http.Header, body string) *html.Node {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	if err := wellFormed(body); err != nil {
		t.Fatalf("page is not well-formed: %v\n%s", err, body)
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	walk(doc, func(n *html.Node) {
		if id := attr(n, "id"); id != "" {
			if ids[id] {
				t.Errorf("id %q twice", id)
			}
			ids[id] = true
		}
		for _, a := range []string{"src", "href"} {
			v := attr(n, a)
			if (n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe") && v != "" && !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, base) {
				t.Errorf("<%s %s=%q> loads from elsewhere", n.Data, a, v)
			}
		}
		if n.Data == "script" && attr(n, "src") == "" {
			t.Errorf("inline script")
		}
	})
	return doc
}

// voidElements have no end tag.
var voidElements = map[string]bool{"area": true, "base": true, "br": true, "col": true, "embed": true, "hr": true, "img": true,
	"input": true, "link": true, "meta": true, "source": true, "track": true, "wbr": true}

// wellFormed tells whether every start tag of body has its end tag in
// order: stricter than the HTML parser, which repairs what it gets.
func wellFormed(body string) error {
	z := html.NewTokenizer(strings.NewReader(body))
	var open []string
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				if len(open) > 0 {
					return fmt.Errorf("unclosed %v", open)
				}
				return nil
			}
			return z.Err()
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			if len(open) == 0 || open[len(open)-1] != string(name) {
				return fmt.Errorf("</%s> closes %v", name, open)
			}
			open = open[:len(open)-1]
		}
	}
}

func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

// find returns the first element matching fn, or nil.
func find(n *html.Node, fn func(*html.Node) bool) *html.Node {
	var out *html.Node
	walk(n, func(m *html.Node) {
		if out == nil && m.Type == html.ElementNode && fn(m) {
			out = m
		}
	})
	return out
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return attr(n, "id") == id }
}

func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(m *html.Node) {
		if m.Type == html.TextNode {
			b.WriteString(m.Data)
		}
	})
	return strings.Join(strings.Fields(b.String()), " ")
}

// checkChart checks a chart: an SVG in a figure, titled and described for
// screen readers, with bars, and a table of the same figures after it.
func checkChart(t *testing.T, doc *html.Node, id string, bars int) {
	t.Helper()
	fig := find(doc, byID(id+"-chart"))
	if fig == nil || fig.Data != "figure" {
		t.Fatalf("no figure %s-chart", id)
	}
	svg := find(fig, func(n *html.Node) bool { return n.Data == "svg" })
	if svg == nil || attr(svg, "role") != "img" || attr(svg, "aria-labelledby") != id+"-title "+id+"-desc" {
		t.Fatalf("chart %s: svg missing or unlabelled", id)
	}
	if find(svg, byID(id+"-title")) == nil || find(svg, byID(id+"-desc")) == nil {
		t.Errorf("chart %s: no title or desc", id)
	}
	n := 0
	walk(svg, func(m *html.Node) {
		if m.Type == html.ElementNode && m.Data == "rect" {
			n++
		}
	})
	if n != bars {
		t.Errorf("chart %s: %d bars, want %d", id, n, bars)
	}
	var table *html.Node
	for s := fig.NextSibling; s != nil && table == nil; s = s.NextSibling {
		if s.Type == html.ElementNode && s.Data == "table" {
			table = s
		}
	}
	if table == nil {
		t.Errorf("chart %s has no table after it", id)
	}
}

func TestDashboardsSendSignedOutVisitorsToLogin(t *testing.T) {
	f := newDashboardFixture(t)
	for _, path := range []string{"/dashboard", "/dashboard/creator"} {
		resp := postlessGet(t, browser(t), f.srv.URL+path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out = %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}

func postlessGet(t *testing.T, c *http.Client, u string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestFunderDashboard(t *testing.T) {
	f := newDashboardFixture(t)
	carol := f.signIn(t, "carol")
	doc := f.page(t, carol, "/dashboard", "en-US")
	if got := text(find(doc, func(n *html.Node) bool { return attr(n, "data-money") == "wallet" })); got != "€10.00" {
		t.Errorf("wallet = %q, want €10.00", got)
	}
	for _, id := range []string{"flattr-1", "flattr-2", "weight-1", "tip-2", "budget-amount"} {
		if find(doc, byID(id)) == nil {
			t.Errorf("no #%s", id)
		}
	}
	if find(doc, byID("flattr-3")) != nil || find(doc, byID("subscription-2")) != nil || strings.Contains(text(doc), "Bob's flattr") {
		t.Error("carol's dashboard shows bob's flattr")
	}
	checkChart(t, doc, "projection", 2)
	// 4.00 by weight 1:3 → 1.00 and 3.00, in the table as in the chart.
	table := text(find(doc, byID("projection")))
	if !strings.Contains(table, "Note one") || !strings.Contains(table, "€1.00") || !strings.Contains(table, "€3.00") {
		t.Errorf("projection = %q", table)
	}

	de := f.page(t, carol, "/dashboard", "de-DE,de;q=0.9")
	if got := text(find(de, func(n *html.Node) bool { return attr(n, "data-money") == "wallet" })); got != "10,00 €" { // text() folds the no-break space
		t.Errorf("wallet in German = %q, want 10,00 €", got)
	}
}

func TestDashboardFormsChangeFlattrsAndBudget(t *testing.T) {
	f := newDashboardFixture(t)
	carol := f.signIn(t, "carol")
	token := formToken(t, carol, f.srv.URL, "/dashboard")
	post := func(path string, form url.Values) *http.Response {
		form.Set("csrf_token", token)
		return postForm(t, carol, f.srv.URL+path, form, nil)
	}
	if resp := post("/dashboard/flattrs/1", url.Values{"weight": {"5"}, "tip": {"0.50"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change = %d", resp.StatusCode)
	}
	if fl := f.money.flattrs[1]; fl.Weight != 5 || fl.Tip != 50 {
		t.Fatalf("flattr 1 = weight %d tip %d, want 5 and 50", fl.Weight, fl.Tip)
	}
	if resp := post("/dashboard/budget", url.Values{"amount": {"6.00"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("budget = %d", resp.StatusCode)
	}
	// 6.00 by 5:3 → 3.75 + 0.50 tip and 2.25.
	table := text(find(f.page(t, carol, "/dashboard?done=budget", "en"), byID("projection")))
	if !strings.Contains(table, "€4.25") || !strings.Contains(table, "€2.25") {
		t.Errorf("projection after the changes = %q", table)
	}
	if resp := post("/dashboard/topup", url.Values{"amount": {"10.00"}}); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "https://pay.example/checkout?user=carol" {
		t.Fatalf("top-up = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := post("/dashboard/flattrs/2/undo", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("undo = %d", resp.StatusCode)
	}
	if f.money.flattrs[2].State != "undone" {
		t.Fatalf("flattr 2 is %s", f.money.flattrs[2].State)
	}
	checkChart(t, f.page(t, carol, "/dashboard", ""), "projection", 1)

	if got := text(find(f.page(t, carol, "/dashboard", ""), byID("subscription-1"))); !strings.Contains(got, "Note two, weight 3") {
		t.Errorf("subscription 1 = %q", got)
	}
	if resp := post("/dashboard/subscriptions/1/cancel", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("cancel = %d", resp.StatusCode)
	}
	if doc := f.page(t, carol, "/dashboard?done=subscription", ""); find(doc, byID("subscription-1")) != nil || f.money.subs[1].CancelledAt == nil {
		t.Error("the cancelled subscription is still there")
	}
}

// TestDashboardFormErrorsStayWithTheirField: a refused field shows its
// error next to it and keeps what was typed; nothing changes.
func TestDashboardFormErrorsStayWithTheirField(t *testing.T) {
	f := newDashboardFixture(t)
	carol := f.signIn(t, "carol")
	token := formToken(t, carol, f.srv.URL, "/dashboard")
	for name, tc := range map[string]struct {
		path, field, typed, input, errID string
		status                           int
	}{
		"provider down":       {"/dashboard/topup", "amount", "600.00", "topup-amount", "topup-err", http.StatusBadGateway},
		"weight out of range": {"/dashboard/flattrs/2", "weight", "11", "weight-2", "weight-2-err", 0},
		"tip with a fraction": {"/dashboard/flattrs/2", "tip", "1.005", "tip-2", "tip-2-err", 0},
		"budget not a number": {"/dashboard/budget", "amount", "lots", "budget-amount", "budget-err", 0},
		"budget too small":    {"/dashboard/budget", "amount", "1.00", "budget-amount", "budget-err", 0},
		"top-up too small":    {"/dashboard/topup", "amount", "0.50", "topup-amount", "topup-err", 0},
	} {
		t.Run(name, func(t *testing.T) {
			form := url.Values{"csrf_token": {token}, tc.field: {tc.typed}}
			if tc.field == "tip" {
				form.Set("weight", "3")
			}
			req, _ := http.NewRequest(http.MethodPost, f.srv.URL+tc.path, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := carol.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := cmp.Or(tc.status, http.StatusBadRequest); resp.StatusCode != want {
				t.Fatalf("status %d, want %d", resp.StatusCode, want)
			}
			doc := checkPage(t, resp.Header, string(body))
			in := find(doc, byID(tc.input))
			if in == nil || attr(in, "value") != tc.typed || attr(in, "aria-invalid") != "true" || attr(in, "aria-describedby") != tc.errID {
				t.Fatalf("input %s lost what was typed or its error: %v", tc.input, in.Attr)
			}
			if e := find(doc, byID(tc.errID)); e == nil || text(e) == "" {
				t.Fatalf("no error text #%s", tc.errID)
			}
		})
	}
	if fl := f.money.flattrs[2]; fl.Weight != 3 || fl.Tip != 0 || f.money.budget[base+"/users/carol"] != 400 {
		t.Fatalf("a refused form changed something: %+v budget %d", fl, f.money.budget[base+"/users/carol"])
	}
}

// TestDashboardFormsNeedCSRFAndOwnership: a POST without the token is
// refused, and nobody changes another funder's flattr.
func TestDashboardFormsNeedCSRFAndOwnership(t *testing.T) {
	f := newDashboardFixture(t)
	carol := f.signIn(t, "carol")
	token := formToken(t, carol, f.srv.URL, "/dashboard")
	for _, path := range []string{"/dashboard/budget", "/dashboard/flattrs/1", "/dashboard/flattrs/1/undo", "/dashboard/topup", "/dashboard/subscriptions/1/cancel"} {
		resp := postForm(t, carol, f.srv.URL+path, url.Values{"amount": {"9.00"}, "weight": {"9"}}, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the token = %d, want 403", path, resp.StatusCode)
		}
	}
	for _, path := range []string{"/dashboard/flattrs/3", "/dashboard/flattrs/3/undo", "/dashboard/subscriptions/2/cancel"} {
		resp := postForm(t, carol, f.srv.URL+path, url.Values{"csrf_token": {token}, "weight": {"9"}}, nil)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("carol's POST %s of bob's flattr = %d, want 404", path, resp.StatusCode)
		}
	}
	if f.money.subs[2].CancelledAt != nil {
		t.Fatal("carol cancelled bob's subscription")
	}
	if fl := f.money.flattrs[3]; fl.Weight != 2 || fl.State != "active" {
		t.Fatalf("bob's flattr changed: %+v", fl)
	}
	if fl := f.money.flattrs[1]; fl.Weight != 1 || f.money.budget[base+"/users/carol"] != 400 || f.money.subs[1].CancelledAt != nil {
		t.Fatal("a form without the token changed something")
	}
}

func TestCreatorDashboard(t *testing.T) {
	f := newDashboardFixture(t)
	bob := f.signIn(t, "bob")
	doc := f.page(t, bob, "/dashboard/creator", "en")
	checkChart(t, doc, "earnings", 2)
	all := text(doc)
	for _, want := range []string{"€12.34", "2026-10", "€7.34", "Bob's second post", "other.example", "€2.50", "sepa", "paid",
		"add this alias: bob@plaudit.test", "add this profile link: http://plaudit.test/@bob"} {
		if !strings.Contains(all, want) {
			t.Errorf("creator dashboard lacks %q", want)
		}
	}
	link := find(doc, func(n *html.Node) bool { return n.Data == "a" && strings.HasSuffix(attr(n, "href"), "2026-10.csv") })
	if link == nil {
		t.Fatal("no statement link for 2026-10")
	}
	if body, status := get(t, bob, f.srv.URL+attr(link, "href")); status != http.StatusOK || body != "statement,"+base+"/users/bob,2026-10\n" {
		t.Errorf("statement = %d %q", status, body)
	}
	// Carol's creator dashboard is hers: none of bob's money or claims.
	carol := f.signIn(t, "carol")
	if got := text(f.page(t, carol, "/dashboard/creator", "en")); strings.Contains(got, "€12.34") || strings.Contains(got, "mastodon.example") || strings.Contains(got, "Bob's second post") {
		t.Errorf("carol sees bob's creator dashboard: %s", got)
	}

	token := formToken(t, bob, f.srv.URL, "/dashboard/creator")
	resp := postForm(t, bob, f.srv.URL+"/dashboard/claims/7/verify", url.Values{}, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("check again without the token = %d", resp.StatusCode)
	}
	resp = postForm(t, bob, f.srv.URL+"/dashboard/claims/7/verify", url.Values{"csrf_token": {token}}, nil)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard/creator?done=claim#claim-7" {
		t.Errorf("check again = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp := postForm(t, carol, f.srv.URL+"/dashboard/claims/7/verify", url.Values{"csrf_token": {formToken(t, carol, f.srv.URL, "/dashboard/creator")}}, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("carol checks bob's claim = %d, want 404", resp.StatusCode)
	}
	// The other side unreachable: said next to the claim, not an error page.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/dashboard/claims/8/verify", strings.NewReader(url.Values{"csrf_token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := bob.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("check again with the blog down = %d, want 502", resp.StatusCode)
	}
	if got := text(find(checkPage(t, resp.Header, string(body)), byID("claim-8"))); !strings.Contains(got, "blog.example did not answer") || !strings.Contains(got, `<meta name="fediverse:creator" content="@bob@plaudit.test">`) {
		t.Errorf("claim 8 after the failed check = %q", got)
	}
	if got := strings.Join(f.money.verify, ","); got != "bob,carol,bob" {
		t.Errorf("Verify called for %s", got)
	}
}

// TestPublicPagesAreWellFormed runs the dashboards' page check (HTML,
// CSP, nothing from elsewhere) on the pages around them: the start,
// sign-in and sign-up pages, a profile and an error.
func TestPublicPagesAreWellFormed(t *testing.T) {
	f := newDashboardFixture(t)
	carol := f.signIn(t, "carol")
	for _, c := range []*http.Client{browser(t), carol} {
		for _, path := range []string{"/", "/login", "/signup", "/@bob", "/no/such/page"} {
			req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
			req.Header.Set("Accept", "text/html")
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusSeeOther {
				continue // signed in, /login sends home
			}
			t.Run(path, func(t *testing.T) { checkPage(t, resp.Header, string(body)) })
		}
	}
}
