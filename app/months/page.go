package months

import (
	"context"
	"errors"

	"github.com/plaudit/plaudit/app"
)

// closePage closes funders (one page, by URI) in one database
// transaction, all or nothing: it renews the lease (so a worker whose
// lease ran out cannot write beside the one that took it over), skips
// the funders closed before, reads the wallets, budgets and flattrs of
// the others in a few queries, splits in memory, and writes every
// funder's ledger transaction, close row and lines in a few statements.
func (s *Service) closePage(ctx context.Context, c *app.MonthClose, funders []string, payees *payees) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		now := s.d.Now()
		if _, held, err := s.d.Store.TakeClose(ctx, c.Month, s.d.Owner, now, now.Add(leaseFor)); err != nil || !held {
			return errors.Join(err, ErrBusy)
		}
		closed, err := s.d.Store.ClosedAmong(ctx, c.Month, funders)
		if err != nil {
			return err
		}
		open := make([]string, 0, len(funders))
		for _, f := range funders {
			if !closed[f] {
				open = append(open, f)
			}
		}
		if len(open) == 0 {
			return nil
		}
		wallets, err := s.d.Ledger.Balances(ctx, app.AccountWallet, open)
		if err != nil {
			return err
		}
		budgets, err := s.d.Store.BudgetsOf(ctx, open)
		if err != nil {
			return err
		}
		fcs := make([]app.FunderClose, 0, len(open))
		var paying []string
		for _, f := range open {
			b, ok := budgets[f]
			fc := app.FunderClose{Month: c.Month, FunderURI: f, Amount: min(s.budget(b, ok), max(wallets[f].Minor, 0))}
			fcs = append(fcs, fc)
			if fc.Amount > 0 {
				paying = append(paying, f)
			}
		}
		var flattrs []app.Flattr
		if len(paying) > 0 {
			if flattrs, err = s.d.Store.FlattrsOfFunders(ctx, c.Month, c.CutoffAt, paying); err != nil {
				return err
			}
		}
		if err := payees.load(ctx, flattrs); err != nil {
			return err
		}
		byFunder := groupByFunder(flattrs)
		var (
			lines []app.CloseLine
			ts    []*app.Transaction
		)
		for i := range fcs {
			fc := &fcs[i]
			if fc.Amount == 0 {
				continue
			}
			p, err := s.plan(ctx, c.Month, fc.FunderURI, wallets[fc.FunderURI].Minor, fc.Amount, byFunder[fc.FunderURI], payees)
			if err != nil {
				return err
			}
			fc.Amount, fc.Fee, fc.LedgerKey = p.amount, p.fee, LedgerKey(c.Month, fc.FunderURI)
			lines = append(lines, p.lines...)
			ts = append(ts, &app.Transaction{Key: fc.LedgerKey, Kind: "close", Memo: "month close " + c.Month, Currency: s.d.Ledger.Currency(),
				Postings: postings(app.Account{Kind: app.AccountWallet, Key: fc.FunderURI}, p.amount, p.fee, p.lines)})
		}
		if _, err := s.d.Ledger.PostAll(ctx, ts); err != nil {
			return err
		}
		return s.d.Store.RecordFunderCloses(ctx, fcs, lines)
	})
}

// LedgerKey is the idempotency key of funder's transaction of month's
// close.
func LedgerKey(month, funder string) string { return "close:" + month + ":" + funder }

// groupByFunder splits flattrs ordered by funder into each funder's.
func groupByFunder(fs []app.Flattr) map[string][]app.Flattr {
	out := map[string][]app.Flattr{}
	for i := 0; i < len(fs); {
		j := i
		for j < len(fs) && fs[j].FunderURI == fs[i].FunderURI {
			j++
		}
		out[fs[i].FunderURI] = fs[i:j:j]
		i = j
	}
	return out
}
