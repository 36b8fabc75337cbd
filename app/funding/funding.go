// Package funding holds the use cases of funders' money: topping up a
// wallet through a payment provider (today: an admin recording a payment
// received by hand) and reading the wallet.
package funding

import (
	"context"
	"fmt"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// Ledger posts and reads transactions (implemented by app/ledger.Service).
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	Balance(ctx context.Context, a app.Account) (app.Money, error)
	Currency() string
}

// Users finds local users.
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
}

// Addresses names local actors (implemented by federation.URLs).
type Addresses interface {
	Actor(username string) string
}

// Service runs the funding use cases.
type Service struct {
	ledger Ledger
	users  Users
	urls   Addresses
}

// New returns a Service.
func New(l Ledger, users Users, urls Addresses) *Service {
	return &Service{ledger: l, users: users, urls: urls}
}

// Wallet is the ledger account of username's wallet.
func (s *Service) Wallet(username string) app.Account {
	return app.Account{Kind: app.AccountWallet, Key: s.urls.Actor(username)}
}

// Credit records a payment of amount that provider received for
// username's wallet, under the provider's reference ref: money in from
// the provider, into the wallet. The same ref again is the same top-up
// and changes nothing; the same ref with another amount or user is
// app.ECONFLICT.
func (s *Service) Credit(ctx context.Context, username string, amount app.Money, provider, ref string) (*app.Transaction, error) {
	ref = strings.TrimSpace(ref)
	switch {
	case ref == "":
		return nil, app.InField("ref", app.Errorf(app.EINVALID, "a top-up needs the payment's reference (--ref)"))
	case amount.Minor <= 0:
		return nil, app.InField("amount", app.Errorf(app.EINVALID, "a top-up must be more than nothing, not %s", amount))
	case amount.Currency != s.ledger.Currency():
		return nil, app.InField("amount", app.Errorf(app.EINVALID, "this instance keeps %s, not %s", s.ledger.Currency(), amount.Currency))
	}
	if _, err := s.users.UserByUsername(ctx, username); err != nil {
		return nil, app.InField("username", fmt.Errorf("top-up for %s: %w", username, err))
	}
	t := &app.Transaction{
		Key: "topup:" + provider + ":" + ref, Kind: "topup", Memo: fmt.Sprintf("%s payment %s", provider, ref),
		Currency: amount.Currency,
		Postings: []app.Posting{
			{Account: app.Account{Kind: app.AccountMoneyIn, Key: provider}, Amount: -amount.Minor},
			{Account: s.Wallet(username), Amount: amount.Minor},
		},
	}
	return s.ledger.Post(ctx, t)
}

// Balance is username's wallet balance.
func (s *Service) Balance(ctx context.Context, username string) (app.Money, error) {
	return s.ledger.Balance(ctx, s.Wallet(username))
}

// Checkout takes a funder's payment through a provider and, once it is
// paid, credits the wallet (implemented by payments/stripe).
type Checkout interface {
	StartCheckout(ctx context.Context, username string, amount app.Money) (string, error)
}

// MinTopUp is the smallest top-up through a provider, in minor units.
const MinTopUp = 100

// StartTopUp begins a top-up of amount for username through checkout and
// returns the page where the funder pays.
func (s *Service) StartTopUp(ctx context.Context, checkout Checkout, username string, amount app.Money) (string, error) {
	if checkout == nil {
		return "", app.Errorf(app.EUNAVAILABLE, "this instance takes no payments online; ask an admin to credit your wallet")
	}
	switch {
	case amount.Currency != s.ledger.Currency():
		return "", app.Errorf(app.EINVALID, "this instance keeps %s, not %s", s.ledger.Currency(), amount.Currency)
	case amount.Minor < MinTopUp || amount.Minor > 1_000_00:
		return "", app.Errorf(app.EINVALID, "a top-up is from %s to %s", app.Money{Minor: MinTopUp, Currency: amount.Currency}, app.Money{Minor: 1_000_00, Currency: amount.Currency})
	}
	if _, err := s.users.UserByUsername(ctx, username); err != nil {
		return "", fmt.Errorf("top-up for %s: %w", username, err)
	}
	return checkout.StartCheckout(ctx, username, amount)
}
