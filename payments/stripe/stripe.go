// Package stripe moves Plaudit's money through Stripe with the official
// stripe-go SDK. It tops up funders' wallets with Stripe Checkout: a
// Checkout Session for the amount a funder asks for, and the webhook
// whose checkout.session.completed event, its signature checked by the
// SDK, credits the wallet once per session. And it pays creators with
// Stripe Connect: a Transfer to the creator's connected account per
// payout, under the payout's key as Stripe's idempotency key.
package stripe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"github.com/plaudit/plaudit/app"
)

// Provider is the name top-ups through Stripe carry in the ledger.
const Provider = "stripe"

// Wallets credits funders' wallets (implemented by app/funding.Service).
type Wallets interface {
	Credit(ctx context.Context, username string, amount app.Money, provider, ref string) (*app.Transaction, error)
}

// Options configure the adapter.
type Options struct {
	SecretKey     string // sk_live_… or sk_test_…
	WebhookSecret string // whsec_…
	// APIURL replaces https://api.stripe.com (a stand-in server in tests).
	APIURL string
	// BaseURL is this instance's, for the pages Checkout returns to.
	BaseURL string
	// Tolerance is how old a webhook's signature may be; 0 means the
	// SDK's 300 s.
	Tolerance time.Duration
	// Retries is how often the SDK retries a request that failed on the
	// network or with 409, 429 or 5xx; 0 means 2, negative none.
	Retries int
	Logger  *slog.Logger
}

// newClient is the SDK's client for opts.
func newClient(opts Options) *stripeapi.Client {
	retries := int64(2)
	if opts.Retries != 0 {
		retries = int64(max(opts.Retries, 0))
	}
	cfg := &stripeapi.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 30 * time.Second},
		LeveledLogger:     &stripeapi.LeveledLogger{Level: stripeapi.LevelError},
		MaxNetworkRetries: stripeapi.Int64(retries),
	}
	if opts.APIURL != "" {
		cfg.URL = stripeapi.String(opts.APIURL)
	}
	backends := &stripeapi.Backends{API: stripeapi.GetBackendWithConfig(stripeapi.APIBackend, cfg)}
	return stripeapi.NewClient(opts.SecretKey, stripeapi.WithBackends(backends))
}

// Checkout starts Stripe Checkout sessions and receives Stripe's webhook.
type Checkout struct {
	client  *stripeapi.Client
	opts    Options
	wallets Wallets
	log     *slog.Logger
}

// New returns the adapter; wallets is where paid sessions are credited.
func New(opts Options, wallets Wallets) (*Checkout, error) {
	if !strings.HasPrefix(opts.SecretKey, "sk_") || !strings.HasPrefix(opts.WebhookSecret, "whsec_") {
		return nil, errors.New("stripe: the secret key must start with sk_ and the webhook secret with whsec_")
	}
	if opts.Tolerance == 0 {
		opts.Tolerance = webhook.DefaultTolerance
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Checkout{client: newClient(opts), opts: opts, wallets: wallets, log: opts.Logger}, nil
}

// StartCheckout creates a Checkout Session that charges amount once and,
// when paid, credits username's wallet; it returns the page to send the
// funder to.
func (c *Checkout) StartCheckout(ctx context.Context, username string, amount app.Money) (string, error) {
	params := &stripeapi.CheckoutSessionCreateParams{
		Mode:              stripeapi.String(string(stripeapi.CheckoutSessionModePayment)),
		ClientReferenceID: stripeapi.String(username),
		SuccessURL:        stripeapi.String(c.opts.BaseURL + "/dashboard?topup=done"),
		CancelURL:         stripeapi.String(c.opts.BaseURL + "/dashboard?topup=cancelled"),
		LineItems: []*stripeapi.CheckoutSessionCreateLineItemParams{{
			Quantity: stripeapi.Int64(1),
			PriceData: &stripeapi.CheckoutSessionCreateLineItemPriceDataParams{
				Currency:    stripeapi.String(strings.ToLower(amount.Currency)),
				UnitAmount:  stripeapi.Int64(amount.Minor),
				ProductData: &stripeapi.CheckoutSessionCreateLineItemPriceDataProductDataParams{Name: stripeapi.String("Plaudit wallet top-up")},
			},
		}},
		Metadata: map[string]string{"plaudit_username": username},
	}
	s, err := c.client.V1CheckoutSessions.Create(ctx, params)
	if err != nil {
		return "", &app.Error{Code: app.EUNAVAILABLE, Message: "Stripe did not start the payment; try again later", Err: err}
	}
	return s.URL, nil
}

// maxWebhookBody bounds a webhook's body; Stripe's events are a few KiB.
const maxWebhookBody = 256 << 10

// ServeWebhook receives Stripe's events (POST /webhooks/stripe). A body
// whose Stripe-Signature does not verify (wrong secret, altered, older
// than the tolerance) is 400 and changes nothing. A paid
// checkout.session.completed (or async_payment_succeeded) credits the
// wallet under the session's id, so Stripe's retries credit once. Other
// events are acknowledged and ignored. A failure of ours is 500, for
// Stripe to retry.
func (c *Checkout) ServeWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
	if err != nil {
		http.Error(w, "body too large or unreadable", http.StatusBadRequest)
		return
	}
	ev, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), c.opts.WebhookSecret,
		webhook.ConstructEventOptions{Tolerance: c.opts.Tolerance})
	if err != nil {
		c.log.WarnContext(r.Context(), "stripe webhook refused", "err", err)
		http.Error(w, "signature or payload refused: "+err.Error(), http.StatusBadRequest)
		return
	}
	if err := c.handle(r.Context(), ev); err != nil {
		c.log.ErrorContext(r.Context(), "stripe webhook not applied", "event", ev.ID, "type", ev.Type, "err", err)
		status := http.StatusInternalServerError
		if code := app.ErrorCode(err); code == app.EINVALID || code == app.ENOTFOUND {
			status = http.StatusUnprocessableEntity // Stripe shows it; retrying will not help
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// handle applies one verified event.
func (c *Checkout) handle(ctx context.Context, ev stripeapi.Event) error {
	switch ev.Type {
	case stripeapi.EventTypeCheckoutSessionCompleted, stripeapi.EventTypeCheckoutSessionAsyncPaymentSucceeded:
	default:
		return nil
	}
	var s stripeapi.CheckoutSession
	if ev.Data == nil || json.Unmarshal(ev.Data.Raw, &s) != nil {
		return app.Errorf(app.EINVALID, "event %s carries no Checkout Session", ev.ID)
	}
	if s.PaymentStatus != stripeapi.CheckoutSessionPaymentStatusPaid {
		c.log.InfoContext(ctx, "stripe session not paid yet", "session", s.ID, "status", s.PaymentStatus)
		return nil // async methods: the async_payment_succeeded event follows
	}
	username := s.ClientReferenceID
	if username == "" {
		username = s.Metadata["plaudit_username"]
	}
	if username == "" {
		return app.Errorf(app.EINVALID, "session %s names no funder", s.ID)
	}
	amount, err := app.NewMoney(s.AmountTotal, string(s.Currency))
	if err != nil {
		return err
	}
	if _, err := c.wallets.Credit(ctx, username, amount, Provider, s.ID); err != nil {
		return fmt.Errorf("credit session %s: %w", s.ID, err)
	}
	return nil
}
