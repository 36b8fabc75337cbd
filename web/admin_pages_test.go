package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/funding"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/moderation"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

// actorURLs names local actors as the fixture's server does.
type actorURLs struct{}

func (actorURLs) Actor(username string) string { return base + "/users/" + username }

// payoutsFake is one open batch with one pending payout to bob.
type payoutsFake struct {
	batch  *app.PayoutBatch
	paid   string
	failed string
}

func newPayoutsFake() *payoutsFake {
	return &payoutsFake{batch: &app.PayoutBatch{ID: "B1", Provider: "manual", Currency: "EUR", State: app.BatchOpen, CreatedAt: time.Now(),
		Payouts: []app.Payout{{Key: "B1-bob", BatchID: "B1", CreatorURI: base + "/users/bob", Amount: app.Money{Minor: 1234, Currency: "EUR"},
			State: app.PayoutPending, Details: app.PayoutDetails{Name: "Bob", IBAN: "DE89370400440532013000"}}}}}
}

func (p *payoutsFake) Batches(context.Context, int) ([]*app.PayoutBatch, error) {
	return []*app.PayoutBatch{p.batch}, nil
}
func (p *payoutsFake) Run(context.Context) (*app.PayoutBatch, error) { return p.batch, nil }
func (p *payoutsFake) MarkPaid(_ context.Context, id, ref string) (*app.PayoutBatch, error) {
	if strings.TrimSpace(ref) == "" {
		return nil, app.Errorf(app.EINVALID, "marking a batch paid needs the payment's reference")
	}
	p.paid = id + " " + ref
	p.batch.State = app.BatchPaid
	return p.batch, nil
}
func (p *payoutsFake) Fail(_ context.Context, id, creator, reason string) (*app.Payout, error) {
	if reason == "" {
		return nil, app.Errorf(app.EINVALID, "a failed payout needs a reason")
	}
	p.failed = id + " " + creator + " " + reason
	return &p.batch.Payouts[0], nil
}
func (p *payoutsFake) Export(_ context.Context, w io.Writer, id, format string) (string, string, error) {
	if format != "csv" {
		return "", "", app.Errorf(app.EINVALID, "format %q", format)
	}
	_, err := fmt.Fprintf(w, "batch,creator\n%s,%s\n", id, p.batch.Payouts[0].CreatorURI)
	return id + ".csv", "text/csv", err
}

// deliveriesFake holds one dead letter.
type deliveriesFake struct{ retried []int64 }

func (d *deliveriesFake) ByState(_ context.Context, state string, _ int) ([]app.Delivery, error) {
	if state != app.DeliveryDead {
		return nil, nil
	}
	return []app.Delivery{{ID: 7, Inbox: "https://remote.example/inbox", Host: "remote.example", State: app.DeliveryDead, Attempts: 16,
		LastStatus: 500, LastError: "server error", CreatedAt: time.Now()}}, nil
}

func (d *deliveriesFake) Retry(_ context.Context, id int64) (*app.Delivery, error) {
	if id != 7 {
		return nil, app.Errorf(app.ENOTFOUND, "no delivery %d", id)
	}
	d.retried = append(d.retried, id)
	return &app.Delivery{ID: id, State: app.DeliveryPending}, nil
}

// adminFixture is a server with the admin pages: alice is the admin, bob
// and carol users, flattr the protected account.
type adminFixture struct {
	*server
	wallets    *funding.Service
	payouts    *payoutsFake
	deliveries *deliveriesFake
}

func newAdminFixture(t *testing.T) *adminFixture {
	t.Helper()
	f := &adminFixture{payouts: newPayoutsFake(), deliveries: &deliveriesFake{}}
	f.server = newServer(t, func(o *accounts.Options) {
		o.SignupMode, o.Protected = accounts.SignupInvite, []string{"flattr"}
	}, func(d *web.Deps, _ *accounts.Service, st *store.Store) {
		l, err := ledger.New(st.Database, st.Ledger, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		f.wallets = funding.New(l, st.Users, actorURLs{})
		d.Currency = "EUR"
		d.Moderation = moderation.New(st, base+"/actor")
		d.Deliveries = f.deliveries
		d.Admin = web.AdminPages{Wallets: f.wallets, Payouts: f.payouts,
			Settings: []web.AdminSetting{{Key: "domain", Value: "plaudit.test", Help: "the public host"}}}
	})
	for _, u := range []struct {
		name  string
		admin bool
	}{{"alice", true}, {"bob", false}, {"carol", false}, {"flattr", false}} {
		f.mustUser(t, u.name, u.admin)
	}
	return f
}

// signIn returns a browser signed in as username.
func (f *adminFixture) signIn(t *testing.T, username string) *http.Client {
	t.Helper()
	c := browser(t)
	token := formToken(t, c, f.srv.URL, "/login")
	resp := postForm(t, c, f.srv.URL+"/login", url.Values{"csrf_token": {token}, "username": {username}, "password": {"a long password"}}, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in of %s = %d", username, resp.StatusCode)
	}
	return c
}

// page GETs path, wants status and checks the page (well-formed, CSP,
// nothing from elsewhere).
func (f *adminFixture) page(t *testing.T, c *http.Client, path string, status int) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+path, nil)
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("GET %s = %d, want %d\n%s", path, resp.StatusCode, status, body)
	}
	checkPage(t, resp.Header, string(body))
	return string(body)
}

// post sends a form with the CSRF token of page and returns the response
// and its body.
func (f *adminFixture) post(t *testing.T, c *http.Client, page, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	form.Set("csrf_token", formToken(t, c, f.srv.URL, page))
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// adminPaths are every admin page of the fixture.
var adminPaths = []string{"/admin", "/admin/users", "/admin/payouts", "/admin/deliveries", "/admin/blocks", "/admin/settings"}

func TestAdminPagesAreForAdminsOnly(t *testing.T) {
	f := newAdminFixture(t)
	bob := f.signIn(t, "bob")
	for _, path := range adminPaths {
		resp := postlessGet(t, browser(t), f.srv.URL+path)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out = %d to %q", path, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp := postlessGet(t, bob, f.srv.URL+path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as bob = %d, want 403", path, resp.StatusCode)
		}
	}
	// bob's forms are refused too, with a valid CSRF token of his own.
	resp, _ := f.post(t, bob, "/account/password", "/admin/users/carol/suspend", url.Values{})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST suspend as bob = %d, want 403", resp.StatusCode)
	}
	resp, _ = f.post(t, bob, "/account/password", "/admin/credits", url.Values{"username": {"bob"}, "amount": {"100"}, "ref": {"x"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("POST credit as bob = %d, want 403", resp.StatusCode)
	}
	if got, _ := f.wallets.Balance(context.Background(), "bob"); got.Minor != 0 {
		t.Errorf("bob's wallet = %v after his own refused credit", got)
	}
}

func TestAdminPagesParse(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	for _, path := range append(adminPaths, "/account/password") {
		f.page(t, alice, path, http.StatusOK)
	}
}

func TestAdminFormsNeedCSRF(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	for _, path := range []string{"/admin/invites", "/admin/users/bob/suspend", "/admin/credits", "/admin/payouts/B1/paid",
		"/admin/deliveries/7/retry", "/admin/blocks/domains", "/account/password"} {
		resp := postForm(t, alice, f.srv.URL+path, url.Values{"username": {"bob"}, "amount": {"5"}, "ref": {"r"}, "domain": {"spam.example"}}, nil)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF token = %d, want 403", path, resp.StatusCode)
		}
	}
	if f.payouts.paid != "" || len(f.deliveries.retried) != 0 {
		t.Errorf("a refused form changed something: paid %q, retried %v", f.payouts.paid, f.deliveries.retried)
	}
	if got, _ := f.wallets.Balance(context.Background(), "bob"); got.Minor != 0 {
		t.Errorf("bob's wallet = %v after a form without token", got)
	}
}

func TestAdminInviteSignUpAndSuspend(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	resp, body := f.post(t, alice, "/admin/users", "/admin/invites", url.Values{})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("create invite = %d", resp.StatusCode)
	}
	checkPage(t, resp.Header, body)
	link := between(body, `id="invite-link" href="`, `"`)
	if !strings.HasPrefix(link, "http://plaudit.test/signup?invite=pli_") {
		t.Fatalf("invite link = %q", link)
	}
	invite := strings.TrimPrefix(link, "http://plaudit.test/signup?invite=")

	// The sign-up form's errors sit next to their fields and keep what
	// was typed.
	dave := browser(t)
	resp, body = f.post(t, dave, "/signup", "/signup", url.Values{"username": {"dave!"}, "password": {"a long password"}, "invite": {invite}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="signup-username-err"`) || !strings.Contains(body, `value="dave!"`) || !strings.Contains(body, `value="`+invite+`"`) {
		t.Fatalf("bad username: %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.post(t, dave, "/signup", "/signup", url.Values{"username": {"dave"}, "password": {"short"}, "invite": {invite}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="signup-password-err"`) || !strings.Contains(body, `value="dave"`) {
		t.Fatalf("short password: %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.post(t, dave, "/signup", "/signup", url.Values{"username": {"dave"}, "password": {"a long password"}, "invite": {"pli_wrong"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="signup-invite-err"`) {
		t.Fatalf("wrong invite: %d\n%s", resp.StatusCode, body)
	}
	checkPage(t, resp.Header, body)
	resp, _ = f.post(t, dave, "/signup", "/signup", url.Values{"username": {"dave"}, "password": {"a long password"}, "invite": {invite}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-up with the invite = %d", resp.StatusCode)
	}

	// Suspended, dave is signed out and cannot sign in or use a token.
	token := f.mustToken(t, "dave", "")
	resp, _ = f.post(t, alice, "/admin/users", "/admin/users/dave/suspend", url.Values{})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend = %d", resp.StatusCode)
	}
	if resp := postlessGet(t, dave, f.srv.URL+"/account/password"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("dave's session after suspension: GET /account/password = %d, want a redirect to login", resp.StatusCode)
	}
	if resp, _ := f.do(t, http.MethodGet, "/api/v1/me", token, "", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("dave's token after suspension = %d, want 401", resp.StatusCode)
	}
	c := browser(t)
	resp, body = f.post(t, c, "/login", "/login", url.Values{"username": {"dave"}, "password": {"a long password"}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "suspended") {
		t.Errorf("dave signs in suspended = %d\n%s", resp.StatusCode, body)
	}
	// The server's own account and the admin herself cannot be suspended.
	for _, name := range []string{"flattr", "alice"} {
		resp, body = f.post(t, alice, "/admin/users", "/admin/users/"+name+"/suspend", url.Values{})
		if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `role="alert"`) {
			t.Errorf("suspend %s = %d\n%s", name, resp.StatusCode, body)
		}
	}
	if resp, _ = f.post(t, alice, "/admin/users", "/admin/users/dave/unsuspend", url.Values{}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unsuspend = %d", resp.StatusCode)
	}
	if resp, _ := f.do(t, http.MethodGet, "/api/v1/me", token, "", nil); resp.StatusCode != http.StatusOK {
		t.Errorf("dave's token after the suspension was lifted = %d", resp.StatusCode)
	}
}

func TestAdminCreditsAWallet(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	cases := []struct {
		name, amount, ref, field string
	}{
		{"no amount", "", "bank-1", "amount"},
		{"not a number", "ten", "bank-1", "amount"},
		{"negative", "-5", "bank-1", "amount"},
		{"no reference", "5.00", " ", "ref"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.post(t, alice, "/admin/users", "/admin/credits", url.Values{"username": {"carol"}, "amount": {tc.amount}, "ref": {tc.ref}})
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d", resp.StatusCode)
			}
			checkPage(t, resp.Header, body)
			if !strings.Contains(body, `id="credit-`+tc.field+`-err"`) {
				t.Errorf("no error next to %s:\n%s", tc.field, body)
			}
			if !strings.Contains(body, `value="`+tc.amount+`"`) || !strings.Contains(body, `<option value="carol" selected>`) {
				t.Errorf("what was typed is lost:\n%s", body)
			}
		})
	}
	for range 2 { // the same reference twice is one top-up
		resp, _ := f.post(t, alice, "/admin/users", "/admin/credits", url.Values{"username": {"carol"}, "amount": {"12.50"}, "ref": {"bank-7"}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/admin/users?done=credit" {
			t.Fatalf("credit = %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	if got, err := f.wallets.Balance(context.Background(), "carol"); err != nil || got.Minor != 1250 {
		t.Errorf("carol's wallet = %v, %v; want 12.50", got, err)
	}
	body := f.page(t, alice, "/admin/users?done=credit", http.StatusOK)
	if !strings.Contains(body, "Wallet credited.") || !strings.Contains(between(body, `id="user-carol"`, "</tr>"), "12.50") {
		t.Errorf("users page after the credit:\n%s", body)
	}
}

func TestAdminPayoutsAndDeliveries(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	body := f.page(t, alice, "/admin/payouts", http.StatusOK)
	if !strings.Contains(body, "/admin/payouts/B1/export?format=pain001") || !strings.Contains(body, "€12.34") {
		t.Errorf("payouts page:\n%s", body)
	}
	resp, err := alice.Get(f.srv.URL + "/admin/payouts/B1/export?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	csv, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "B1.csv") || !strings.Contains(string(csv), "B1,"+base+"/users/bob") {
		t.Errorf("export = %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), csv)
	}
	resp, body = f.post(t, alice, "/admin/payouts", "/admin/payouts/B1/paid", url.Values{"ref": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="paid-B1-err"`) {
		t.Errorf("mark paid without ref = %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.post(t, alice, "/admin/payouts", "/admin/payouts/B1/fail", url.Values{"creator": {base + "/users/bob"}, "reason": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="fail-B1-`+base+`/users/bob-err"`) {
		t.Errorf("fail without reason = %d\n%s", resp.StatusCode, body)
	}
	if resp, _ = f.post(t, alice, "/admin/payouts", "/admin/payouts/B1/paid", url.Values{"ref": {"bank-42"}}); resp.StatusCode != http.StatusSeeOther || f.payouts.paid != "B1 bank-42" {
		t.Errorf("mark paid = %d, paid %q", resp.StatusCode, f.payouts.paid)
	}

	body = f.page(t, alice, "/admin/deliveries", http.StatusOK)
	if !strings.Contains(body, `action="/admin/deliveries/7/retry"`) || !strings.Contains(body, "server error") {
		t.Errorf("deliveries page:\n%s", body)
	}
	if resp, _ = f.post(t, alice, "/admin/deliveries", "/admin/deliveries/7/retry", url.Values{}); resp.StatusCode != http.StatusSeeOther || len(f.deliveries.retried) != 1 {
		t.Errorf("retry = %d, retried %v", resp.StatusCode, f.deliveries.retried)
	}
}

func TestAdminBlocks(t *testing.T) {
	f := newAdminFixture(t)
	alice := f.signIn(t, "alice")
	resp, body := f.post(t, alice, "/admin/blocks", "/admin/blocks/domains", url.Values{"domain": {"not a domain"}, "severity": {"silence"}, "reason": {"spam"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="block-domain-err"`) || !strings.Contains(body, `value="not a domain"`) ||
		!strings.Contains(body, `<option value="silence" selected>`) {
		t.Errorf("bad domain = %d\n%s", resp.StatusCode, body)
	}
	if resp, _ = f.post(t, alice, "/admin/blocks", "/admin/blocks/domains", url.Values{"domain": {"spam.example"}, "severity": {"reject"}, "reason": {"spam"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("block = %d", resp.StatusCode)
	}
	if resp, _ = f.post(t, alice, "/admin/blocks", "/admin/blocks/actors", url.Values{"actor": {"https://bad.example/users/troll"}, "reason": {"abuse"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("block actor = %d", resp.StatusCode)
	}
	body = f.page(t, alice, "/admin/blocks", http.StatusOK)
	if !strings.Contains(body, "<td>spam.example</td>") || !strings.Contains(body, "https://bad.example/users/troll") {
		t.Errorf("blocks page:\n%s", body)
	}
	if resp, _ = f.post(t, alice, "/admin/blocks", "/admin/blocks/domains/remove", url.Values{"domain": {"spam.example"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("unblock = %d", resp.StatusCode)
	}
	if body = f.page(t, alice, "/admin/blocks", http.StatusOK); strings.Contains(body, "<td>spam.example</td>") {
		t.Errorf("spam.example still blocked:\n%s", body)
	}
}

func TestPasswordChange(t *testing.T) {
	f := newAdminFixture(t)
	bob := f.signIn(t, "bob")
	cases := []struct {
		name, current, next, confirm, field string
	}{
		{"wrong current", "not my password", "a new long password", "a new long password", "current"},
		{"too short", "a long password", "short", "short", "new"},
		{"differ", "a long password", "a new long password", "another long password", "confirm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := f.post(t, bob, "/account/password", "/account/password", url.Values{"current": {tc.current}, "password": {tc.next}, "confirm": {tc.confirm}})
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="password-`+tc.field+`-err"`) {
				t.Fatalf("status %d, want the error next to %s:\n%s", resp.StatusCode, tc.field, body)
			}
			checkPage(t, resp.Header, body)
		})
	}
	resp, _ := f.post(t, bob, "/account/password", "/account/password", url.Values{"current": {"a long password"}, "password": {"a new long password"}, "confirm": {"a new long password"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("change = %d", resp.StatusCode)
	}
	if _, err := f.accounts.Authenticate(context.Background(), "bob", "a new long password"); err != nil {
		t.Errorf("new password refused: %v", err)
	}
	if _, err := f.accounts.Authenticate(context.Background(), "bob", "a long password"); err == nil {
		t.Error("old password still works")
	}
	if resp := postlessGet(t, browser(t), f.srv.URL+"/account/password"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed out /account/password = %d", resp.StatusCode)
	}
}

// between is the text of s after start up to end.
func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, end)
	return before
}
