package instance_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/configs"
)

// signOut drops the browser's cookies.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	do(t, ctx, "sign out", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
		return err
	}))
}

// valueOf is the value of the form field with the CSS selector.
func valueOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+"`"+sel+"`"+`).value`))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// downloadAs GETs u with the browser's cookies, as its download link
// does (the page's CSP lets no script fetch).
func downloadAs(ctx context.Context, u string) (string, error) {
	cookies, err := chromedp.Run(ctx, chromedp.Action[[]*network.Cookie](func(ctx context.Context, tg *chromedp.Target) ([]*network.Cookie, error) {
		res, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{u}})
		if err != nil {
			return nil, err
		}
		return res.Cookies, nil
	}))
	if err != nil {
		return "", err
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	for _, c := range cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), "attachment") {
		return string(body), fmt.Errorf("GET %s = %d, %q", u, resp.StatusCode, resp.Header.Get("Content-Disposition"))
	}
	return string(body), err
}

// TestAdminInABrowser: root, B's admin, invites dave, who signs up with
// the link (a bad username is refused next to its field, what he typed
// kept); root credits dave's wallet by hand, runs the payouts, exports
// the batch as a SEPA file and marks it paid, retries a dead delivery to
// C once C is back, and opens the job queues (asynqmon, whose scripts run
// under the hashed CSP). Screenshots admin-*.png.
func TestAdminInABrowser(t *testing.T) {
	ctx := newBrowser(t)
	b := startNodeWith(t, "B", func(c *configs.Config) {
		c.Federation.DeliveryAttempts = 1
		c.Money.SEPADebtorName, c.Money.SEPADebtorIBAN = "Plaudit B", "DE02120300000000202051"
	})
	c := startNode(t, "C")
	bg := context.Background()
	if _, err := b.inst.TestAccounts().CreateUser(bg, "root", "a long password", true); err != nil {
		t.Fatal(err)
	}
	bobToken, carolToken, erinToken := b.user("bob"), b.user("carol"), c.user("erin")
	b.apiJSON(http.MethodPut, "/api/v1/payout_details", bobToken, map[string]any{"name": "Bob Builder", "iban": "DE89370400440532013000"}, http.StatusOK, nil)
	follow(t, c, "erin", erinToken, b, "bob")
	paid := b.publishNote("bob", bobToken, "paid work")
	money := b.inst.TestMoney()
	if _, err := money.Funding.Credit(bg, "carol", app.Money{Minor: 2000, Currency: "EUR"}, "manual", "r1"); err != nil {
		t.Fatal(err)
	}
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": paid, "weight": 1, "tip": "9.00"}, http.StatusCreated, nil)
	if _, err := money.Months.Close(bg, app.MonthOf(time.Now()), true, nil); err != nil {
		t.Fatal(err)
	}
	// C is down: bob's next note to his followers dies at once.
	c.stop()
	b.post("bob", bobToken, note("nobody home", public, b.actor("bob")+"/followers"))
	eventually(t, "a dead letter to C", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND state = 'dead'", c.base()+"/inbox") == 1
	})

	// The invite.
	browserSignIn(t, ctx, b, "/admin/users", "root", `form[action="/admin/invites"]`)
	do(t, ctx, "invite", chromedp.Click(chromedp.CSS(`form[action="/admin/invites"] button`)), chromedp.WaitVisible(chromedp.CSS("#invite-link")))
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("invite-link").href`))
	if err != nil || !strings.HasPrefix(link, b.base()+"/signup?invite=pli_") {
		t.Fatalf("invite link %q (%v)", link, err)
	}
	screenshot(t, ctx, "admin-invite")

	// Dave signs up with it.
	signOut(t, ctx)
	do(t, ctx, "sign up badly",
		chromedp.Navigate(link),
		chromedp.SetValue(chromedp.CSS("#signup-username"), "dave!"),
		chromedp.SetValue(chromedp.CSS("#signup-password"), "a long password"),
		chromedp.Click(chromedp.CSS(`form[action="/signup"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#signup-username-err")),
	)
	if got, invite := valueOf(t, ctx, "#signup-username"), valueOf(t, ctx, "#signup-invite"); got != "dave!" || !strings.HasSuffix(link, invite) {
		t.Errorf("after the refusal the form holds %q and %q", got, invite)
	}
	screenshot(t, ctx, "admin-signup-error")
	do(t, ctx, "sign up",
		chromedp.SetValue(chromedp.CSS("#signup-username"), "dave"),
		chromedp.SetValue(chromedp.CSS("#signup-password"), "a long password"),
		chromedp.Click(chromedp.CSS(`form[action="/signup"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)),
	)
	if got := textOf(t, ctx, "header nav"); !strings.Contains(got, "@dave@") {
		t.Fatalf("after sign-up the header says %q", got)
	}

	// Root credits dave's wallet: first without a reference.
	signOut(t, ctx)
	browserSignIn(t, ctx, b, "/admin/users", "root", "#credit-amount")
	do(t, ctx, "credit without a reference",
		chromedp.SetValue(chromedp.CSS("#credit-username"), "dave"),
		chromedp.SetValue(chromedp.CSS("#credit-amount"), "20.00"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/credits"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#credit-ref-err")),
	)
	if got, who := valueOf(t, ctx, "#credit-amount"), valueOf(t, ctx, "#credit-username"); got != "20.00" || who != "dave" {
		t.Errorf("after the refusal the form holds %q for %q", got, who)
	}
	do(t, ctx, "credit",
		chromedp.SetValue(chromedp.CSS("#credit-ref"), "bank-2026-12-01"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/credits"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#done-credit")),
	)
	if got := textOf(t, ctx, "#user-dave"); !strings.Contains(got, "€20.00") {
		t.Errorf("dave's row after the credit = %q", got)
	}
	if got, err := money.Funding.Balance(bg, "dave"); err != nil || got.Minor != 2000 {
		t.Errorf("dave's wallet = %v (%v), want 20.00", got, err)
	}
	screenshot(t, ctx, "admin-users")

	// Payouts: run, export pain.001 with the admin's session, mark paid.
	do(t, ctx, "run payouts",
		chromedp.Navigate(b.base()+"/admin/payouts"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/payouts/run"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#done-run")),
		chromedp.WaitVisible(chromedp.CSS("section.batch")),
	)
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("section.batch a[href$='format=pain001']").href`))
	if err != nil {
		t.Fatal(err)
	}
	xml, err := downloadAs(ctx, href)
	if err != nil || !strings.Contains(xml, "pain.001.001.03") || !strings.Contains(xml, "DE89370400440532013000") || !strings.Contains(xml, "11.00") {
		t.Fatalf("pain.001 export (%v):\n%s", err, xml)
	}
	screenshot(t, ctx, "admin-payouts")
	do(t, ctx, "mark paid",
		chromedp.SetValue(chromedp.CSS(`section.batch form[action$="/paid"] input[name="ref"]`), "bank-out-1"),
		chromedp.Click(chromedp.CSS(`section.batch form[action$="/paid"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#done-paid")),
	)
	if got := textOf(t, ctx, "section.batch h2"); !strings.Contains(got, "paid") {
		t.Errorf("batch after marking paid = %q", got)
	}

	// The dead letter, retried once C is back.
	c.restart()
	do(t, ctx, "deliveries", chromedp.Navigate(b.base()+"/admin/deliveries"), chromedp.WaitVisible(chromedp.CSS(`#dead form[action$="/retry"]`)))
	if got := textOf(t, ctx, "#dead table"); !strings.Contains(got, c.base()+"/inbox") {
		t.Errorf("dead letters = %q", got)
	}
	screenshot(t, ctx, "admin-deliveries")
	do(t, ctx, "retry", chromedp.Click(chromedp.CSS(`#dead form[action$="/retry"] button`)), chromedp.WaitVisible(chromedp.CSS("#done-retry")))
	eventually(t, "the retried delivery delivered", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries WHERE inbox = ? AND state = 'delivered'", c.base()+"/inbox") == 1
	})

	// Blocks, peers, settings: each page opens.
	do(t, ctx, "block a domain",
		chromedp.Navigate(b.base()+"/admin/blocks"),
		chromedp.SetValue(chromedp.CSS("#block-domain"), "spam.example"),
		chromedp.SetValue(chromedp.CSS("#block-domain-reason"), "spam"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/blocks/domains"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#done-block")),
	)
	if got := textOf(t, ctx, "#domain-blocks table"); !strings.Contains(got, "spam.example") {
		t.Errorf("domain blocks = %q", got)
	}
	screenshot(t, ctx, "admin-blocks")
	do(t, ctx, "peers", chromedp.Navigate(b.base()+"/admin/peers"), chromedp.WaitVisible(chromedp.CSS("h1")))
	screenshot(t, ctx, "admin-peers")
	do(t, ctx, "settings", chromedp.Navigate(b.base()+"/admin/settings"), chromedp.WaitVisible(chromedp.CSS("table")))
	if got := textOf(t, ctx, "table"); !strings.Contains(got, "money.payout_threshold") || strings.Contains(got, "DE02120300000000202051") {
		t.Errorf("settings = %q", got)
	}
	screenshot(t, ctx, "admin-settings")

	// The queues' UI renders: its scripts ran under the page's CSP.
	do(t, ctx, "queues", chromedp.Navigate(b.base()+"/admin/queues"), chromedp.WaitVisible(chromedp.CSS("#root table")))
	if got := textOf(t, ctx, "#root table"); !strings.Contains(got, ":delivery") {
		t.Errorf("the queues' table = %q, want the delivery queue", got)
	}
	screenshot(t, ctx, "admin-queues")
}
