package months

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// EscrowStore reads and settles escrowed money (implemented by
// store.Months).
type EscrowStore interface {
	EscrowHeld(ctx context.Context, beforeMonth string, after app.EscrowDebt, limit int) ([]app.EscrowDebt, error)
	RecordEscrowSettlement(ctx context.Context, d app.EscrowDebt, outcome, ledgerKey string) (bool, error)
}

// Escrow outcomes.
const (
	EscrowReturned = "returned" // to the funder's wallet: nobody claimed it in time
	EscrowReleased = "released" // to the owner who claimed it
)

// ReturnEscrow gives back, to the cent, what funders' closes put in escrow
// for owners who have not claimed it within months months: each funder's
// part of each owner's escrow of each month goes back to the funder's
// wallet, one ledger transaction each with its settlement row. Running it
// again, or after a crash, returns nothing twice. It returns how many
// debts it returned.
func (s *Service) ReturnEscrow(ctx context.Context, es EscrowStore, months int) (int, error) {
	if months < 1 {
		return 0, app.Errorf(app.EINVALID, "escrow is held at least a month, not %d", months)
	}
	now := s.d.Now().UTC()
	before := app.MonthOf(time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, -months, 0))
	returned := 0
	var after app.EscrowDebt
	for {
		debts, err := es.EscrowHeld(ctx, before, after, 200)
		if err != nil {
			return returned, fmt.Errorf("return escrow: %w", err)
		}
		if len(debts) == 0 {
			return returned, nil
		}
		for _, d := range debts {
			after = d
			if err := s.returnDebt(ctx, es, d); err != nil {
				return returned, fmt.Errorf("return escrow of %s to %s (%s): %w", d.EscrowKey, d.FunderURI, d.Month, err)
			}
			returned++
		}
	}
}

func (s *Service) returnDebt(ctx context.Context, es EscrowStore, d app.EscrowDebt) error {
	key := "escrow:return:" + d.Month + ":" + d.FunderURI + ":" + d.EscrowKey
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		recorded, err := es.RecordEscrowSettlement(ctx, d, EscrowReturned, key)
		if err != nil || !recorded {
			return err
		}
		_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: key, Kind: "escrow-return", Memo: "unclaimed for too long", Currency: s.d.Ledger.Currency(),
			Postings: []app.Posting{
				{Account: app.Account{Kind: app.AccountEscrow, Key: d.EscrowKey}, Amount: -d.Amount},
				{Account: app.Account{Kind: app.AccountWallet, Key: d.FunderURI}, Amount: d.Amount},
			}})
		return err
	})
}
