// Package escrow holds what happens to money flattred to creators who have
// not joined: it is released to them when they claim their account or
// site (the claim checked again first), and they are told it waits, once
// a month at most, by a mention from the instance actor. (Returning it to
// the funders after the hold period is app/months.ReturnEscrow.)
package escrow

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/claims"
)

// Store reads escrow and records what became of it (implemented by
// store.Months and store.Claims).
type Store interface {
	EscrowOwnersHolding(ctx context.Context, threshold int64) ([]app.EscrowHolding, error)
	EscrowDebtsOf(ctx context.Context, key string, prefix bool) ([]app.EscrowDebt, error)
	RecordEscrowSettlement(ctx context.Context, d app.EscrowDebt, outcome, ledgerKey string) (bool, error)
	LastEscrowNotice(ctx context.Context, owner string) (month string, amount int64, ok bool, err error)
	RecordEscrowNotice(ctx context.Context, owner, month string, amount int64, outcome string, at time.Time) (bool, error)
	VerifiedClaimsHolding(ctx context.Context) ([]app.Claim, error)
}

// Claims checks claims again before money follows them (app/claims).
type Claims interface {
	Reverify(ctx context.Context, id int64) (*app.Claim, error)
}

// Ledger posts transactions.
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	Currency() string
}

// Notifier tells an owner what waits for them (federation: a mention
// from the instance actor).
type Notifier interface {
	// OptedOut tells whether owner does not want such messages: they
	// blocked this instance, or their profile asks bots to leave them
	// alone (#nobot).
	OptedOut(ctx context.Context, ownerURI string) (bool, error)
	// NotifyEscrow sends the mention; it is called inside the transaction
	// that records it, so that it is sent once.
	NotifyEscrow(ctx context.Context, ownerURI string, held app.Money) error
}

// Deps are what the Service needs.
type Deps struct {
	Tx       app.Transactor
	Store    Store
	Claims   Claims
	Ledger   Ledger
	Notifier Notifier
	// Threshold is the escrow an owner must hold to be told of it; 0
	// tells nobody.
	Threshold int64
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service releases escrow and tells owners of it.
type Service struct {
	d Deps
	p PeerDeps
}

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}
}

// Release pays to their creators the escrow their verified claims cover:
// each claim is checked again (both sides fetched), then each funder's
// part of each month's escrow for the claimed actor, or for things under
// the claimed site, moves to the claimant's balance, one ledger
// transaction each with its settlement row. A claim that no longer holds
// releases nothing. Running it again, or after a crash, releases nothing
// twice. It returns how many debts it released.
func (s *Service) Release(ctx context.Context) (int, error) {
	cs, err := s.d.Store.VerifiedClaimsHolding(ctx)
	if err != nil {
		return 0, fmt.Errorf("release escrow: %w", err)
	}
	released := 0
	for _, c := range cs {
		n, err := s.ReleaseClaim(ctx, c.ID)
		released += n
		if err != nil {
			if code := app.ErrorCode(err); code == app.EINVALID || code == app.ENOTFOUND || code == app.EUNAVAILABLE {
				s.d.Logger.InfoContext(ctx, "escrow: claim not released", "claim", c.ID, "err", err)
				continue
			}
			return released, err
		}
	}
	return released, nil
}

// ReleaseClaim checks claim id again and releases the escrow it covers.
func (s *Service) ReleaseClaim(ctx context.Context, id int64) (int, error) {
	c, err := s.d.Claims.Reverify(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("release escrow of claim %d: %w", id, err)
	}
	site := c.Kind == app.ClaimSite
	debts, err := s.d.Store.EscrowDebtsOf(ctx, c.Subject, site)
	if err != nil {
		return 0, fmt.Errorf("release escrow of claim %d: %w", id, err)
	}
	n := 0
	for _, d := range debts {
		if site && !claims.Covers(c.Subject, d.EscrowKey) {
			continue
		}
		done, err := s.release(ctx, d, c.ActorURI)
		if err != nil {
			return n, fmt.Errorf("release escrow of %s to %s: %w", d.EscrowKey, c.ActorURI, err)
		}
		if done {
			n++
		}
	}
	return n, nil
}

func (s *Service) release(ctx context.Context, d app.EscrowDebt, creator string) (bool, error) {
	key := "escrow:release:" + d.Month + ":" + d.FunderURI + ":" + d.EscrowKey
	done := false
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		recorded, err := s.d.Store.RecordEscrowSettlement(ctx, d, "released", key)
		if err != nil || !recorded {
			return err
		}
		done = true
		_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: key, Kind: "escrow-release", Memo: "claimed by " + creator, Currency: s.d.Ledger.Currency(),
			Postings: []app.Posting{
				{Account: app.Account{Kind: app.AccountEscrow, Key: d.EscrowKey}, Amount: -d.Amount},
				{Account: app.Account{Kind: app.AccountCreator, Key: creator}, Amount: d.Amount},
			}})
		return err
	})
	return done, err
}

// Notify tells each owner for whom escrow holds at least the threshold
// how much waits and how to claim it: once when they first reach it, and
// after that at most once a month, only when more came in since. Owners
// who opted out or blocked this instance are told nothing. It returns how
// many were told.
func (s *Service) Notify(ctx context.Context) (int, error) {
	if s.d.Threshold <= 0 || s.d.Notifier == nil {
		return 0, nil
	}
	held, err := s.d.Store.EscrowOwnersHolding(ctx, s.d.Threshold)
	if err != nil {
		return 0, fmt.Errorf("escrow notices: %w", err)
	}
	month := app.MonthOf(s.d.Now())
	told := 0
	for _, h := range held {
		last, amount, ok, err := s.d.Store.LastEscrowNotice(ctx, h.Key)
		if err != nil {
			return told, fmt.Errorf("escrow notices: %w", err)
		}
		if ok && (last >= month || amount >= h.Amount) {
			continue
		}
		out, err := s.d.Notifier.OptedOut(ctx, h.Key)
		if err != nil {
			s.d.Logger.WarnContext(ctx, "escrow: notice not sent", "owner", h.Key, "err", err)
			continue
		}
		outcome := "sent"
		if out {
			outcome = "opted out"
		}
		err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
			recorded, err := s.d.Store.RecordEscrowNotice(ctx, h.Key, month, h.Amount, outcome, s.d.Now())
			if err != nil || !recorded || out {
				return err
			}
			told++
			return s.d.Notifier.NotifyEscrow(ctx, h.Key, app.Money{Minor: h.Amount, Currency: s.d.Ledger.Currency()})
		})
		if err != nil {
			return told, fmt.Errorf("escrow notice to %s: %w", h.Key, err)
		}
	}
	return told, nil
}
