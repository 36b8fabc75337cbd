// Package statements shows people their money: creators what they earned
// by month and by thing, what waits on peers' settlements and what was
// paid out; funders where each month's money went; and both a month's
// statement as CSV.
package statements

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// Store reads closes and balances (implemented by store.Statements).
type Store interface {
	CreatorEarnings(ctx context.Context, creatorURI string) ([]app.Earning, error)
	FunderCloses(ctx context.Context, funderURI string) ([]app.FunderClose, error)
	FunderLines(ctx context.Context, funderURI, month string) ([]app.CloseLine, error)
	PendingOf(ctx context.Context, creatorURI, currency string) ([]app.Balance, error)
}

// Payouts lists a creator's payouts (implemented by app/payouts.Service
// or store.Payouts).
type Payouts interface {
	PayoutsOf(ctx context.Context, creatorURI string) ([]app.Payout, error)
}

// Ledger reads balances (implemented by app/ledger.Service).
type Ledger interface {
	Balance(ctx context.Context, a app.Account) (app.Money, error)
	Currency() string
}

// Service reads statements.
type Service struct {
	store   Store
	payouts Payouts
	ledger  Ledger
}

// New returns a Service.
func New(st Store, p Payouts, l Ledger) *Service { return &Service{store: st, payouts: p, ledger: l} }

// ThingEarning is what one thing earned a creator in a month.
type ThingEarning struct {
	Thing   string
	Flattrs int64
	Amount  app.Money
}

// MonthEarnings is what a creator earned in a month, by thing.
type MonthEarnings struct {
	Month  string
	Total  app.Money
	Things []ThingEarning
}

// PeerPending is what a creator earned on a peer server's funders and
// waits for that peer's settlement.
type PeerPending struct {
	Peer   string
	Amount app.Money
}

// Earnings are a creator's money.
type Earnings struct {
	Balance app.Money // to be paid out
	Months  []MonthEarnings
	Pending []PeerPending
}

// Earnings reads creatorURI's balance, earnings by month and thing, and
// pending earnings by peer.
func (s *Service) Earnings(ctx context.Context, creatorURI string) (*Earnings, error) {
	cur := s.ledger.Currency()
	bal, err := s.ledger.Balance(ctx, app.Account{Kind: app.AccountCreator, Key: creatorURI})
	if err != nil {
		return nil, fmt.Errorf("earnings: %w", err)
	}
	rows, err := s.store.CreatorEarnings(ctx, creatorURI)
	if err != nil {
		return nil, fmt.Errorf("earnings: %w", err)
	}
	e := &Earnings{Balance: bal}
	for _, r := range rows {
		if n := len(e.Months); n == 0 || e.Months[n-1].Month != r.Month {
			e.Months = append(e.Months, MonthEarnings{Month: r.Month, Total: app.Money{Currency: cur}})
		}
		m := &e.Months[len(e.Months)-1]
		m.Total.Minor += r.Amount
		m.Things = append(m.Things, ThingEarning{Thing: r.ThingURI, Flattrs: r.Flattrs, Amount: app.Money{Minor: r.Amount, Currency: cur}})
	}
	pending, err := s.store.PendingOf(ctx, creatorURI, cur)
	if err != nil {
		return nil, fmt.Errorf("earnings: %w", err)
	}
	for _, b := range pending {
		if b.Money.Minor != 0 {
			e.Pending = append(e.Pending, PeerPending{Peer: peerOf(b.Account.Key, creatorURI), Amount: b.Money})
		}
	}
	return e, nil
}

// peerOf is the peer's host in a pending account's key: the key less the
// creator's URI.
func peerOf(key, creatorURI string) string {
	return strings.TrimSpace(strings.Replace(key, creatorURI, "", 1))
}

// Payouts lists creatorURI's payouts, newest first.
func (s *Service) Payouts(ctx context.Context, creatorURI string) ([]app.Payout, error) {
	return s.payouts.PayoutsOf(ctx, creatorURI)
}

// MonthSpending is where a funder's money went at a month's close.
type MonthSpending struct {
	Month  string
	Amount app.Money // taken from the wallet
	Fee    app.Money
	Lines  []app.CloseLine
}

// Spending lists funderURI's closed months, newest first, each with where
// its money went; month, when not empty, picks one.
func (s *Service) Spending(ctx context.Context, funderURI, month string) ([]MonthSpending, error) {
	if month != "" {
		if _, err := app.ParseMonth(month); err != nil {
			return nil, err
		}
	}
	cur := s.ledger.Currency()
	closes, err := s.store.FunderCloses(ctx, funderURI)
	if err != nil {
		return nil, fmt.Errorf("spending: %w", err)
	}
	out := []MonthSpending{}
	for _, c := range closes {
		if month != "" && c.Month != month {
			continue
		}
		lines, err := s.store.FunderLines(ctx, funderURI, c.Month)
		if err != nil {
			return nil, fmt.Errorf("spending: %w", err)
		}
		out = append(out, MonthSpending{Month: c.Month, Amount: app.Money{Minor: c.Amount, Currency: cur},
			Fee: app.Money{Minor: c.Fee, Currency: cur}, Lines: lines})
	}
	return out, nil
}

// WriteStatement writes userURI's statement of month as CSV: as a funder,
// each thing and recipient their money went to and the fee; as a
// creator, each thing they earned from with its number of flattrs (the
// funders are not named), and the month's payouts.
func (s *Service) WriteStatement(ctx context.Context, w io.Writer, userURI, month string) error {
	if _, err := app.ParseMonth(month); err != nil {
		return err
	}
	spent, err := s.Spending(ctx, userURI, month)
	if err != nil {
		return err
	}
	earned, err := s.Earnings(ctx, userURI)
	if err != nil {
		return err
	}
	paid, err := s.payouts.PayoutsOf(ctx, userURI)
	if err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"section", "month", "thing", "recipient", "flattrs", "amount", "currency", "reference", "state"})
	for _, m := range spent {
		for _, l := range m.Lines {
			_ = cw.Write([]string{"spent", month, l.ThingURI, l.RecipientURI, "", decimal(l.Amount, m.Amount.Currency), m.Amount.Currency, l.ActivityURI, l.Account.Kind})
		}
		if m.Fee.Minor > 0 {
			_ = cw.Write([]string{"fee", month, "", "", "", m.Fee.Decimal(), m.Fee.Currency, "", ""})
		}
	}
	for _, m := range earned.Months {
		if m.Month != month {
			continue
		}
		for _, t := range m.Things {
			_ = cw.Write([]string{"earned", month, t.Thing, "", fmt.Sprint(t.Flattrs), t.Amount.Decimal(), t.Amount.Currency, "", ""})
		}
	}
	for _, p := range paid {
		if app.MonthOf(p.CreatedAt) == month {
			_ = cw.Write([]string{"payout", month, "", "", "", p.Amount.Decimal(), p.Amount.Currency, p.Key, p.State})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("statement: %w", err)
	}
	return nil
}

func decimal(minor int64, currency string) string {
	return app.Money{Minor: minor, Currency: currency}.Decimal()
}
