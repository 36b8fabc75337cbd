// Package payouts pays creators their balances: a payout run takes every
// creator whose balance has reached the threshold and makes a batch, one
// payout each, moving the balance to the provider's payouts-in-flight
// account in the same transaction as the payout's row. A provider that
// sends by itself (Stripe Connect) is asked to pay each payout under its
// key; with the manual provider an admin exports the batch, pays it at
// the bank and marks it paid. A failed payout's money goes back to the
// creator's balance. Every step is idempotent by key: a rerun of a run,
// or a run after a crash, ends with the ledger of one clean run.
package payouts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists payout details, batches and payouts (implemented by
// store.Payouts).
type Store interface {
	PayoutDetailsOf(ctx context.Context, creatorURI string) (*app.PayoutDetails, error)
	SetPayoutDetails(ctx context.Context, d app.PayoutDetails) error
	TakeBuildingBatch(ctx context.Context, id, provider, currency string, now time.Time) (*app.PayoutBatch, error)
	OpenBatches(ctx context.Context, provider string) ([]*app.PayoutBatch, error)
	BatchByID(ctx context.Context, id string) (*app.PayoutBatch, error)
	SetBatchState(ctx context.Context, id, state, ref string, paidAt *time.Time) error
	InsertPayout(ctx context.Context, p *app.Payout) (bool, error)
	PayoutIn(ctx context.Context, batchID, creatorURI string) (*app.Payout, error)
	SetPayoutState(ctx context.Context, key, from, to, ref, reason string) (bool, error)
	PayoutsOf(ctx context.Context, creatorURI string) ([]app.Payout, error)
}

// Balances lists accounts by balance (implemented by store.Ledger).
type Balances interface {
	BalancesAtLeast(ctx context.Context, kind, currency string, min int64, afterKey string, limit int) ([]app.Balance, error)
}

// Ledger posts and reads transactions (implemented by app/ledger.Service).
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	Balance(ctx context.Context, a app.Account) (app.Money, error)
	Currency() string
}

// Provider pays creators. Accepts tells whether a creator's details are
// enough for it (an IBAN for bank transfers, a connected account for
// Stripe).
type Provider interface {
	Name() string
	Accepts(d app.PayoutDetails) bool
}

// Sender is a Provider that pays by itself. Send pays p once per p.Key
// (its idempotency key) and returns the provider's reference. An error
// with code app.EINVALID is a refusal: the payout fails and its money
// goes back to the balance. Any other error leaves it pending, to be
// sent again by the next run.
type Sender interface {
	Provider
	Send(ctx context.Context, p app.Payout) (string, error)
}

// Manual is the provider of bank transfers an admin makes by hand from an
// exported batch.
type Manual struct{}

// Name is "manual".
func (Manual) Name() string { return "manual" }

// Accepts details with an IBAN.
func (Manual) Accepts(d app.PayoutDetails) bool { return d.IBAN != "" }

// Deps are what the Service needs.
type Deps struct {
	Tx       app.Transactor
	Store    Store
	Balances Balances
	Ledger   Ledger
	Provider Provider
	// Threshold is the smallest balance paid out.
	Threshold app.Money
	Logger    *slog.Logger
	Now       func() time.Time
}

// Service runs payouts.
type Service struct{ d Deps }

// New returns a Service; a threshold of nothing or less, or in another
// currency than the ledger's, is refused.
func New(d Deps) (*Service, error) {
	switch {
	case d.Provider == nil:
		return nil, errors.New("payouts: no provider")
	case d.Threshold.Minor <= 0:
		return nil, app.Errorf(app.EINVALID, "the payout threshold must be more than nothing, not %s", d.Threshold)
	case d.Threshold.Currency != d.Ledger.Currency():
		return nil, app.Errorf(app.EINVALID, "the payout threshold is in %s; the ledger keeps %s", d.Threshold.Currency, d.Ledger.Currency())
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{d: d}, nil
}

// Sends tells whether the provider pays by itself (a run sends the
// payouts), so that runs can be left to a periodic job.
func (s *Service) Sends() bool {
	_, ok := s.d.Provider.(Sender)
	return ok
}

// Provider is the name of the service's provider.
func (s *Service) Provider() string { return s.d.Provider.Name() }

// InFlight is the account holding provider's payouts not yet confirmed.
func InFlight(provider string) app.Account {
	return app.Account{Kind: app.AccountMoneyOut, Key: "payouts-in-flight:" + provider}
}

// PaidOut is the account of provider's confirmed payouts.
func PaidOut(provider string) app.Account {
	return app.Account{Kind: app.AccountMoneyOut, Key: "payouts:" + provider}
}

func creatorAccount(uri string) app.Account { return app.Account{Kind: app.AccountCreator, Key: uri} }

// PayoutKey is the idempotency key of creatorURI's payout in batch: the
// batch id and a digest of the creator, short enough for a SEPA
// EndToEndId (35 characters).
func PayoutKey(batchID, creatorURI string) string {
	sum := sha256.Sum256([]byte(creatorURI))
	return batchID + "-" + hex.EncodeToString(sum[:8])
}

// Details are creatorURI's payout details (app.ENOTFOUND when none).
func (s *Service) Details(ctx context.Context, creatorURI string) (*app.PayoutDetails, error) {
	return s.d.Store.PayoutDetailsOf(ctx, creatorURI)
}

// SetDetails checks and stores creatorURI's payout details; invalid ones
// (an IBAN whose check digits fail, say) are app.EINVALID and write
// nothing.
func (s *Service) SetDetails(ctx context.Context, creatorURI string, d app.PayoutDetails) (*app.PayoutDetails, error) {
	d.CreatorURI = creatorURI
	d, err := d.Normalize()
	if err != nil {
		return nil, err
	}
	if err := s.d.Store.SetPayoutDetails(ctx, d); err != nil {
		return nil, fmt.Errorf("payout details: %w", err)
	}
	return s.d.Store.PayoutDetailsOf(ctx, creatorURI)
}

// Payouts lists creatorURI's payouts, newest first.
func (s *Service) Payouts(ctx context.Context, creatorURI string) ([]app.Payout, error) {
	return s.d.Store.PayoutsOf(ctx, creatorURI)
}

// Batch loads a batch with its payouts (app.ENOTFOUND when unknown).
func (s *Service) Batch(ctx context.Context, id string) (*app.PayoutBatch, error) {
	return s.d.Store.BatchByID(ctx, strings.TrimSpace(id))
}

// RunResult is what a run did.
type RunResult struct {
	Batch *app.PayoutBatch
	// Waiting are the creators due a payout who gave no details this
	// provider can pay to.
	Waiting []string
}

// Run makes a batch of every creator whose balance is at or above the
// threshold, or finishes the batch a crashed run left, and, with a
// provider that sends by itself, sends its payouts and those still
// pending from earlier runs. Running it again changes nothing until
// creators earn again. When some payouts could not be sent, it returns
// the batch with the error: they stay pending for the next run.
func (s *Service) Run(ctx context.Context) (*RunResult, error) {
	now := s.d.Now().UTC()
	b, err := s.d.Store.TakeBuildingBatch(ctx, "B"+now.Format("20060102150405"), s.Provider(), s.d.Ledger.Currency(), now)
	if err != nil {
		return nil, fmt.Errorf("payout run: %w", err)
	}
	res := &RunResult{}
	n, after := 0, ""
	for {
		due, err := s.d.Balances.BalancesAtLeast(ctx, app.AccountCreator, b.Currency, s.d.Threshold.Minor, after, 100)
		if err != nil {
			return nil, fmt.Errorf("payout run %s: %w", b.ID, err)
		}
		if len(due) == 0 {
			break
		}
		for _, bal := range due {
			after = bal.Account.Key
			took, err := s.take(ctx, b, bal.Account.Key)
			if err != nil {
				return nil, fmt.Errorf("payout run %s: creator %s: %w", b.ID, bal.Account.Key, err)
			}
			if took {
				n++
			} else {
				res.Waiting = append(res.Waiting, bal.Account.Key)
			}
		}
	}
	if err := s.finishBuilding(ctx, b.ID); err != nil {
		return nil, err
	}
	var sendErr error
	if sender, ok := s.d.Provider.(Sender); ok {
		sendErr = s.sendOpen(ctx, sender)
	}
	if res.Batch, err = s.d.Store.BatchByID(ctx, b.ID); err != nil {
		return nil, errors.Join(sendErr, fmt.Errorf("payout run %s: %w", b.ID, err))
	}
	return res, sendErr
}

// finishBuilding marks the batch built: open, or paid at once when it
// holds no payout.
func (s *Service) finishBuilding(ctx context.Context, id string) error {
	b, err := s.d.Store.BatchByID(ctx, id)
	if err != nil {
		return fmt.Errorf("payout run %s: %w", id, err)
	}
	if b.State != app.BatchBuilding {
		return nil
	}
	state, at := app.BatchOpen, (*time.Time)(nil)
	if len(b.Payouts) == 0 {
		now := s.d.Now().UTC()
		state, at = app.BatchPaid, &now
	}
	if err := s.d.Store.SetBatchState(ctx, id, state, "", at); err != nil {
		return fmt.Errorf("payout run %s: %w", id, err)
	}
	return nil
}

// take moves creator's balance into a payout of batch b, with the payout's
// row, in one transaction. A creator with a payout in b already is done;
// one without details the provider accepts is left waiting (false).
func (s *Service) take(ctx context.Context, b *app.PayoutBatch, creator string) (bool, error) {
	took := false
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.Store.PayoutIn(ctx, b.ID, creator); err == nil {
			took = true
			return nil
		} else if !errors.Is(err, app.ErrNotFound) {
			return err
		}
		d, err := s.d.Store.PayoutDetailsOf(ctx, creator)
		if errors.Is(err, app.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		if !s.d.Provider.Accepts(*d) {
			return nil
		}
		balance, err := s.d.Ledger.Balance(ctx, creatorAccount(creator))
		if err != nil {
			return err
		}
		if balance.Minor < s.d.Threshold.Minor {
			took = true // paid meanwhile by another run
			return nil
		}
		p := &app.Payout{Key: PayoutKey(b.ID, creator), BatchID: b.ID, CreatorURI: creator, Amount: balance,
			Provider: s.Provider(), State: app.PayoutPending, Details: *d}
		if _, err := s.d.Ledger.Post(ctx, &app.Transaction{Key: "payout:" + p.Key, Kind: "payout", Memo: "payout batch " + b.ID,
			Currency: balance.Currency, Postings: []app.Posting{
				{Account: creatorAccount(creator), Amount: -balance.Minor},
				{Account: InFlight(p.Provider), Amount: balance.Minor},
			}}); err != nil {
			return err
		}
		took = true
		_, err = s.d.Store.InsertPayout(ctx, p) // not written: a run beside this one wrote it
		return err
	})
	if app.ErrorCode(err) == app.ECONFLICT {
		// A run beside this one took the balance first, reading another
		// amount: its payout stands.
		if _, again := s.d.Store.PayoutIn(ctx, b.ID, creator); again == nil {
			return true, nil
		}
	}
	return took, err
}

// sendOpen sends the pending payouts of every open batch; a batch whose
// payouts are all paid or failed is marked paid. Payouts the provider
// could not be reached for stay pending, and the error names them.
func (s *Service) sendOpen(ctx context.Context, sender Sender) error {
	batches, err := s.d.Store.OpenBatches(ctx, sender.Name())
	if err != nil {
		return fmt.Errorf("send payouts: %w", err)
	}
	var errs []error
	for _, ob := range batches {
		b, err := s.d.Store.BatchByID(ctx, ob.ID)
		if err != nil {
			return fmt.Errorf("send payouts: %w", err)
		}
		left := 0
		for _, p := range b.Payouts {
			if p.State != app.PayoutPending {
				continue
			}
			ref, err := sender.Send(ctx, p)
			switch {
			case err == nil:
				err = s.settle(ctx, p, ref)
			case app.ErrorCode(err) == app.EINVALID:
				err = s.fail(ctx, p, app.ErrorMessage(err))
			default:
				left++
			}
			if err != nil {
				errs = append(errs, fmt.Errorf("payout %s: %w", p.Key, err))
			}
		}
		if left == 0 && len(errs) == 0 {
			now := s.d.Now().UTC()
			if err := s.d.Store.SetBatchState(ctx, b.ID, app.BatchPaid, sender.Name(), &now); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// settle records p as paid under ref: its money moves from in flight to
// paid out.
func (s *Service) settle(ctx context.Context, p app.Payout, ref string) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		moved, err := s.d.Store.SetPayoutState(ctx, p.Key, app.PayoutPending, app.PayoutPaid, ref, "")
		if err != nil || !moved {
			return err
		}
		_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: "payout-paid:" + p.Key, Kind: "payout", Memo: "paid: " + ref,
			Currency: p.Amount.Currency, Postings: []app.Posting{
				{Account: InFlight(p.Provider), Amount: -p.Amount.Minor},
				{Account: PaidOut(p.Provider), Amount: p.Amount.Minor},
			}})
		return err
	})
}

// fail records p as failed for reason: its money goes back to the
// creator's balance, in a transaction of its own.
func (s *Service) fail(ctx context.Context, p app.Payout, reason string) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		moved, err := s.d.Store.SetPayoutState(ctx, p.Key, app.PayoutPending, app.PayoutFailed, "", reason)
		if err != nil || !moved {
			return err
		}
		_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: "payout-return:" + p.Key, Kind: "payout", Memo: "payout failed: " + reason,
			Currency: p.Amount.Currency, Postings: []app.Posting{
				{Account: InFlight(p.Provider), Amount: -p.Amount.Minor},
				{Account: creatorAccount(p.CreatorURI), Amount: p.Amount.Minor},
			}})
		return err
	})
}

// MarkPaid records that batch id was paid, under the bank's or the
// provider's reference ref: each pending payout in it becomes paid.
// Marking a paid batch again changes nothing.
func (s *Service) MarkPaid(ctx context.Context, id, ref string) (*app.PayoutBatch, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, app.Errorf(app.EINVALID, "marking a batch paid needs the payment's reference (--ref)")
	}
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		b, err := s.d.Store.BatchByID(ctx, id)
		if err != nil {
			return err
		}
		switch b.State {
		case app.BatchPaid:
			return nil
		case app.BatchBuilding:
			return app.Errorf(app.EINVALID, "batch %s is still being built: run the payout run again first", id)
		}
		for _, p := range b.Payouts {
			if p.State == app.PayoutPending {
				if err := s.settle(ctx, p, ref); err != nil {
					return err
				}
			}
		}
		now := s.d.Now().UTC()
		return s.d.Store.SetBatchState(ctx, id, app.BatchPaid, ref, &now)
	})
	if err != nil {
		return nil, fmt.Errorf("mark batch %s paid: %w", id, err)
	}
	return s.d.Store.BatchByID(ctx, id)
}

// Fail records that creatorURI's payout in batch id failed, for reason:
// its money goes back to the creator's balance. Failing it again changes
// nothing; a payout already paid cannot fail.
func (s *Service) Fail(ctx context.Context, id, creatorURI, reason string) (*app.Payout, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return nil, app.Errorf(app.EINVALID, "a failed payout needs a reason (--reason)")
	}
	p, err := s.d.Store.PayoutIn(ctx, id, creatorURI)
	if err != nil {
		return nil, fmt.Errorf("fail payout: %w", err)
	}
	switch p.State {
	case app.PayoutPaid:
		return nil, app.Errorf(app.EINVALID, "the payout %s was marked paid; a returned transfer is a new correction", p.Key)
	case app.PayoutPending:
		if err := s.fail(ctx, *p, reason); err != nil {
			return nil, fmt.Errorf("fail payout %s: %w", p.Key, err)
		}
	}
	return s.d.Store.PayoutIn(ctx, id, creatorURI)
}
