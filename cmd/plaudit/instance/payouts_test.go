package instance_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/jobs"
)

// TestPayoutsAndStatements: a creator sets payout details (a bad IBAN is
// refused and nothing is kept), a funder's month is closed, the creator
// sees the earnings by month and thing and, after a payout run, the
// payout; the funder sees where the month's money went; both download
// the month's statement as CSV.
func TestPayoutsAndStatements(t *testing.T) {
	ctx := context.Background()
	b := startNode(t, "B")
	bobToken, carolToken := b.user("bob"), b.user("carol")
	note := b.publishNote("bob", bobToken, "paid work")
	money := b.inst.TestMoney()
	if _, err := money.Funding.Credit(ctx, "carol", app.Money{Minor: 2000, Currency: "EUR"}, "manual", "r1"); err != nil {
		t.Fatal(err)
	}
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": note, "weight": 1, "tip": "9.00"}, http.StatusCreated, nil)

	b.api(http.MethodGet, "/api/v1/payout_details", bobToken, http.StatusNotFound, nil)
	var bad struct{ Error string }
	b.apiJSON(http.MethodPut, "/api/v1/payout_details", bobToken, map[string]any{"name": "Bob", "iban": "DE89370400440532013001"}, http.StatusBadRequest, &bad)
	if !strings.Contains(bad.Error, "check digits") {
		t.Errorf("bad IBAN refused with %q", bad.Error)
	}
	b.api(http.MethodGet, "/api/v1/payout_details", bobToken, http.StatusNotFound, nil)
	var details struct{ Name, IBAN, BIC string }
	b.apiJSON(http.MethodPut, "/api/v1/payout_details", bobToken, map[string]any{"name": "Bob Builder", "iban": "de89 3704 0044 0532 0130 00", "bic": "cobadeffxxx"}, http.StatusOK, &details)
	b.api(http.MethodGet, "/api/v1/payout_details", bobToken, http.StatusOK, &details)
	if details.IBAN != "DE89370400440532013000" || details.BIC != "COBADEFFXXX" || details.Name != "Bob Builder" {
		t.Fatalf("details %+v", details)
	}

	month := app.MonthOf(time.Now())
	if _, err := money.Months.Close(ctx, month, true, nil); err != nil {
		t.Fatal(err)
	}
	var earnings struct {
		Balance struct{ Minor int64 } `json:"balance"`
		Months  []struct {
			Month  string `json:"month"`
			Things []struct {
				Thing   string                `json:"thing"`
				Flattrs int64                 `json:"flattrs"`
				Amount  struct{ Minor int64 } `json:"amount"`
			} `json:"things"`
		} `json:"months"`
		Pending []any `json:"pending"`
	}
	b.api(http.MethodGet, "/api/v1/earnings", bobToken, http.StatusOK, &earnings)
	if earnings.Balance.Minor != 1100 || len(earnings.Months) != 1 || earnings.Months[0].Month != month ||
		len(earnings.Months[0].Things) != 1 || earnings.Months[0].Things[0].Thing != note || earnings.Months[0].Things[0].Flattrs != 1 ||
		earnings.Months[0].Things[0].Amount.Minor != 1100 || earnings.Pending == nil {
		t.Fatalf("earnings %+v", earnings)
	}
	var spent []struct {
		Month  string                `json:"month"`
		Amount struct{ Minor int64 } `json:"amount"`
		Lines  []struct {
			Thing string `json:"thing"`
		} `json:"lines"`
	}
	b.api(http.MethodGet, "/api/v1/funding/months", carolToken, http.StatusOK, &spent)
	if len(spent) != 1 || spent[0].Amount.Minor != 1100 || len(spent[0].Lines) != 2 || spent[0].Lines[0].Thing != note {
		t.Fatalf("spending %+v", spent)
	}

	res, err := money.Payouts.Run(ctx)
	if err != nil || len(res.Batch.Payouts) != 1 {
		t.Fatalf("payout run: %+v, %v", res, err)
	}
	var ps []struct {
		ID, State string
		Amount    struct{ Minor int64 }
	}
	b.api(http.MethodGet, "/api/v1/payouts", bobToken, http.StatusOK, &ps)
	if len(ps) != 1 || ps[0].State != app.PayoutPending || ps[0].Amount.Minor != 1100 || ps[0].ID != res.Batch.Payouts[0].Key {
		t.Fatalf("payouts %+v", ps)
	}

	bobCSV := b.download("/api/v1/statements/"+month+".csv", bobToken, http.StatusOK)
	if !strings.Contains(bobCSV, "earned,"+month+","+note+",,1,11.00,EUR") || !strings.Contains(bobCSV, "payout,"+month+",,,,11.00,EUR,"+ps[0].ID+",pending") ||
		strings.Contains(bobCSV, b.actor("carol")) {
		t.Fatalf("bob's statement:\n%s", bobCSV)
	}
	carolCSV := b.download("/api/v1/statements/"+month+".csv", carolToken, http.StatusOK)
	if !strings.Contains(carolCSV, "spent,"+month+","+note+","+b.actor("bob")+",,2.00,EUR") {
		t.Fatalf("carol's statement:\n%s", carolCSV)
	}
	b.download("/api/v1/statements/2026-13.csv", carolToken, http.StatusBadRequest)
	b.download("/api/v1/statements/"+month+".pdf", carolToken, http.StatusNotFound)
}

// download GETs path with token and returns the body.
func (n *node) download(path, token string, want int) string {
	n.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, n.base()+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		n.t.Fatalf("GET %s = %d %s, want %d", path, resp.StatusCode, body, want)
	}
	if want == http.StatusOK && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		n.t.Fatalf("GET %s: Content-Type %q", path, resp.Header.Get("Content-Type"))
	}
	return string(body)
}

// TestStripePayoutJob: with money.payout_provider stripe, the worker's
// payouts:run job transfers a creator's balance to their connected
// account through Stripe's API (a stand-in on loopback answering a
// recorded transfer), once.
func TestStripePayoutJob(t *testing.T) {
	ctx := context.Background()
	transfer, err := os.ReadFile("../../../payments/stripe/testdata/transfer_created.json")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	keys := map[string]bool{}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		keys[r.Header.Get("Idempotency-Key")] = true
		mu.Unlock()
		_ = r.ParseForm()
		body := strings.Replace(string(transfer), `"amount": 1500`, `"amount": `+r.PostForm.Get("amount"), 1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	defer api.Close()
	n := startNodeWith(t, "S", func(c *configs.Config) {
		c.Money.StripeSecretKey, c.Money.StripeWebhookSecret, c.Money.StripeAPIURL = "sk_test_x", "whsec_x", api.URL
		c.Money.PayoutProvider, c.Money.PayoutThreshold = "stripe", "5.00"
	})
	token := n.user("bob")
	n.apiJSON(http.MethodPut, "/api/v1/payout_details", token, map[string]any{"stripe_account": "acct_1QPlauditCreator"}, http.StatusOK, nil)
	money := n.inst.TestMoney()
	if _, err := money.Ledger.Post(ctx, &app.Transaction{Key: "earn", Kind: "test", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -1500},
		{Account: app.Account{Kind: app.AccountCreator, Key: n.actor("bob")}, Amount: 1500},
	}}); err != nil {
		t.Fatal(err)
	}
	if err := n.inst.TestEnqueue(ctx, jobs.QueueCritical, jobs.NewRunPayoutsTask()); err != nil {
		t.Fatal(err)
	}
	var ps []struct{ State, Ref string }
	eventually(t, "the payout paid", func() bool {
		n.api(http.MethodGet, "/api/v1/payouts", token, http.StatusOK, &ps)
		return len(ps) == 1 && ps[0].State == app.PayoutPaid
	})
	if ps[0].Ref != "tr_1QPlauditTransfer01" || len(keys) != 1 {
		t.Fatalf("payout %+v, %d idempotency keys", ps[0], len(keys))
	}
	r, err := money.Ledger.Check(ctx)
	if err != nil || len(r.Violations) != 0 || r.ByKind[app.AccountMoneyOut] != 1500 {
		t.Fatalf("ledger check %+v, %v", r, err)
	}
}
