package instance_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/plaudit/plaudit/configs"
)

// TestStripeTopUp: with Stripe configured, a funder starts a top-up
// through the API (Checkout, against a stand-in for Stripe's API on
// loopback), and Stripe's signed webhook credits the wallet once.
func TestStripeTopUp(t *testing.T) {
	session, err := os.ReadFile("../../../payments/stripe/testdata/checkout_session_created.json")
	if err != nil {
		t.Fatal(err)
	}
	event, err := os.ReadFile("../../../payments/stripe/testdata/checkout_session_completed.json")
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(session)
	}))
	defer api.Close()
	const whsec = "whsec_instance_test"
	n := startNodeWith(t, "S", func(c *configs.Config) {
		c.Money.StripeSecretKey, c.Money.StripeWebhookSecret, c.Money.StripeAPIURL = "sk_test_x", whsec, api.URL
	})
	token := n.user("carol")
	var out struct {
		URL string `json:"url"`
	}
	n.apiJSON(http.MethodPost, "/api/v1/funding/topups", token, map[string]any{"amount": "10.00"}, http.StatusCreated, &out)
	if out.URL == "" {
		t.Fatal("no checkout URL")
	}
	n.apiJSON(http.MethodPost, "/api/v1/funding/topups", token, map[string]any{"amount": "0.10"}, http.StatusBadRequest, nil)
	for range 2 { // Stripe retries: one credit
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: event, Secret: whsec, Timestamp: time.Now()})
		req, _ := http.NewRequest(http.MethodPost, n.base()+"/webhooks/stripe", bytes.NewReader(event))
		req.Header.Set("Stripe-Signature", signed.Header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("webhook = %d", resp.StatusCode)
		}
	}
	var f struct {
		Wallet struct{ Minor int64 } `json:"wallet"`
	}
	n.api(http.MethodGet, "/api/v1/funding", token, http.StatusOK, &f)
	if f.Wallet.Minor != 1000 {
		t.Fatalf("wallet = %d after the webhook, want 1000", f.Wallet.Minor)
	}
}
