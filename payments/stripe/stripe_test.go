package stripe_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/funding"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/payments/stripe"
)

const secret = "whsec_test_secret_for_plaudit"

type urls struct{}

func (urls) Actor(name string) string { return "https://plaudit.example/users/" + name }

type env struct {
	st       *store.Store
	funding  *funding.Service
	checkout *stripe.Checkout
	webhook  *httptest.Server
}

func newEnv(t *testing.T, apiURL string) *env {
	t.Helper()
	st := storetest.Open(t)
	if err := st.CreateUser(context.Background(), &app.User{Username: "carol"}, app.UserSecrets{}); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	f := funding.New(l, st, urls{})
	c, err := stripe.New(stripe.Options{SecretKey: "sk_test_plaudit", WebhookSecret: secret, APIURL: apiURL, BaseURL: "https://plaudit.example"}, f)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(c.ServeWebhook))
	t.Cleanup(srv.Close)
	return &env{st: st, funding: f, checkout: c, webhook: srv}
}

// deliver posts payload to the webhook as Stripe would, signed with key at
// when, and returns the status.
func (e *env) deliver(t *testing.T, payload []byte, key string, when time.Time) int {
	t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: key, Timestamp: when})
	req, _ := http.NewRequest(http.MethodPost, e.webhook.URL, bytes.NewReader(payload))
	req.Header.Set("Stripe-Signature", signed.Header)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (e *env) wallet(t *testing.T) int64 {
	t.Helper()
	b, err := e.funding.Balance(context.Background(), "carol")
	if err != nil {
		t.Fatal(err)
	}
	return b.Minor
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebhookCreditsOnce: a verified, paid checkout.session.completed
// credits the wallet; Stripe's retry of it credits nothing more; an
// unpaid session, a wrong signature, an altered body and a stale
// signature change nothing.
func TestWebhookCreditsOnce(t *testing.T) {
	e := newEnv(t, "")
	paid := fixture(t, "checkout_session_completed.json")
	if got := e.deliver(t, paid, secret, time.Now()); got != http.StatusOK {
		t.Fatalf("paid event: %d", got)
	}
	if got := e.deliver(t, paid, secret, time.Now()); got != http.StatusOK {
		t.Fatalf("retried event: %d", got)
	}
	if w := e.wallet(t); w != 1000 {
		t.Fatalf("wallet = %d after the event and its retry, want 1000", w)
	}
	if got := e.deliver(t, fixture(t, "checkout_session_unpaid.json"), secret, time.Now()); got != http.StatusOK {
		t.Fatalf("unpaid event: %d", got)
	}
	for name, status := range map[string]int{
		"wrong secret": e.deliver(t, paid, "whsec_someone_else", time.Now()),
		"stale":        e.deliver(t, paid, secret, time.Now().Add(-10*time.Minute)),
	} {
		if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, status)
		}
	}
	altered := bytes.Replace(paid, []byte(`"amount_total": 1000`), []byte(`"amount_total": 9000`), 1)
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: paid, Secret: secret})
	req, _ := http.NewRequest(http.MethodPost, e.webhook.URL, bytes.NewReader(altered))
	req.Header.Set("Stripe-Signature", signed.Header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("altered body: %d, want 400", resp.StatusCode)
	}
	if w := e.wallet(t); w != 1000 {
		t.Fatalf("wallet = %d after refused events, want 1000", w)
	}
	// The same session again with another amount is refused, not credited.
	other := bytes.Replace(paid, []byte(`"amount_total": 1000`), []byte(`"amount_total": 2000`), 1)
	if got := e.deliver(t, other, secret, time.Now()); got == http.StatusOK {
		t.Fatalf("a session credited twice with other amounts: %d", got)
	}
	if w := e.wallet(t); w != 1000 {
		t.Fatalf("wallet = %d, want 1000", w)
	}
}

// TestStartCheckout: the Checkout Session is created through the SDK with
// the amount, the currency and the funder, against a stand-in for Stripe's
// API on loopback that answers a recorded session.
func TestStartCheckout(t *testing.T) {
	var mu sync.Mutex
	var form url.Values
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/checkout/sessions" || r.Header.Get("Authorization") != "Bearer sk_test_plaudit" {
			http.Error(w, `{"error":{"message":"unexpected request"}}`, http.StatusBadRequest)
			return
		}
		_ = r.ParseForm()
		mu.Lock()
		form = r.PostForm
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(fixture(t, "checkout_session_created.json"))
	}))
	defer api.Close()
	e := newEnv(t, api.URL)
	u, err := e.checkout.StartCheckout(context.Background(), "carol", app.Money{Minor: 1000, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(u, "https://checkout.stripe.com/") {
		t.Fatalf("checkout URL = %q", u)
	}
	mu.Lock()
	defer mu.Unlock()
	for k, want := range map[string]string{
		"mode": "payment", "client_reference_id": "carol", "line_items[0][price_data][unit_amount]": "1000",
		"line_items[0][price_data][currency]": "eur", "line_items[0][quantity]": "1", "metadata[plaudit_username]": "carol",
	} {
		if got := form.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	api.Close()
	if _, err := e.checkout.StartCheckout(context.Background(), "carol", app.Money{Minor: 1000, Currency: "EUR"}); app.ErrorCode(err) != app.EUNAVAILABLE {
		t.Errorf("Stripe down: %v, want unavailable", err)
	}
}
