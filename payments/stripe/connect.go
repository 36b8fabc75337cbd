package stripe

import (
	"context"
	"errors"
	"fmt"
	"strings"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/plaudit/plaudit/app"
)

// ConnectProvider is the name payouts through Stripe Connect carry.
const ConnectProvider = "stripe"

// Connect pays creators through Stripe Connect (app/payouts.Sender): one
// Transfer from the instance's Stripe balance to the creator's connected
// account per payout. Stripe pays the connected account out to its bank
// on its own schedule.
type Connect struct {
	client *stripeapi.Client
}

// NewConnect returns the Connect adapter for opts (the secret key and,
// in tests, the API URL; the webhook secret is not needed).
func NewConnect(opts Options) (*Connect, error) {
	if !strings.HasPrefix(opts.SecretKey, "sk_") {
		return nil, errors.New("stripe connect: the secret key must start with sk_")
	}
	return &Connect{client: newClient(opts)}, nil
}

// Name is "stripe".
func (*Connect) Name() string { return ConnectProvider }

// Accepts details with a connected account.
func (*Connect) Accepts(d app.PayoutDetails) bool { return d.StripeAccount != "" }

// Send transfers p's amount to the creator's connected account, with
// p.Key as Stripe's idempotency key, so that sending it again (after a
// crash, a lost answer) makes no second transfer. Stripe refusing the
// transfer for the account's sake (no such account, transfers not
// enabled) is app.EINVALID: the payout fails and its money returns. An
// unreachable Stripe, a rate limit, or this instance's Stripe balance
// running short are other errors: the payout stays pending.
func (c *Connect) Send(ctx context.Context, p app.Payout) (string, error) {
	if p.Details.StripeAccount == "" {
		return "", app.Errorf(app.EINVALID, "payout %s names no Stripe connected account", p.Key)
	}
	params := &stripeapi.TransferCreateParams{
		Amount:        stripeapi.Int64(p.Amount.Minor),
		Currency:      stripeapi.String(strings.ToLower(p.Amount.Currency)),
		Destination:   stripeapi.String(p.Details.StripeAccount),
		Description:   stripeapi.String("Plaudit payout " + p.BatchID),
		TransferGroup: stripeapi.String(p.BatchID),
		Metadata:      map[string]string{"plaudit_payout": p.Key, "plaudit_creator": p.CreatorURI},
	}
	params.SetIdempotencyKey(p.Key)
	tr, err := c.client.V1Transfers.Create(ctx, params)
	if err != nil {
		return "", classify(p, err)
	}
	if tr.Amount != p.Amount.Minor || !strings.EqualFold(string(tr.Currency), p.Amount.Currency) {
		return "", fmt.Errorf("payout %s: Stripe's transfer %s is %d %s, not %s", p.Key, tr.ID, tr.Amount, tr.Currency, p.Amount)
	}
	return tr.ID, nil
}

// classify tells a refusal for the account's sake from a failure to try
// again.
func classify(p app.Payout, err error) error {
	var se *stripeapi.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("payout %s: stripe: %w", p.Key, err)
	}
	transient := se.HTTPStatusCode == 0 || se.HTTPStatusCode == 409 || se.HTTPStatusCode == 429 || se.HTTPStatusCode >= 500 ||
		se.Type == stripeapi.ErrorTypeIdempotency || se.Code == stripeapi.ErrorCodeBalanceInsufficient
	if transient {
		return fmt.Errorf("payout %s: stripe (%d %s): %w", p.Key, se.HTTPStatusCode, se.Code, err)
	}
	return &app.Error{Code: app.EINVALID, Message: fmt.Sprintf("Stripe refused the transfer to %s: %s", p.Details.StripeAccount, se.Msg), Err: err}
}
