package months

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// page is one page of a close's funders (by URI, as the store orders
// them) with what the close reads of them ahead of the page's database
// transaction: their flattrs of the month, which cannot change once the
// close has begun, and the payees of the flattred things.
type page struct {
	funders []string
	flattrs map[string][]app.Flattr // by funder, each by thing
	payees  pagePayees
}

// closeFunders closes the funders of c's month page by page, each page in
// one database transaction that also renews the lease, and returns how
// many funders the month has. A reader lists and reads the next page
// while the current one is written.
func (s *Service) closeFunders(ctx context.Context, c *app.MonthClose, progress Progress) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pages := make(chan page) // unbuffered: at most the page written and the one read ahead
	read := make(chan error, 1)
	go func() { read <- s.readPages(ctx, c, pages) }()
	done := 0
	for p := range pages {
		if err := s.closePage(ctx, c, p); err != nil {
			cancel()
			for range pages {
			}
			<-read
			return done, fmt.Errorf("funders %s to %s: %w", p.funders[0], p.funders[len(p.funders)-1], err)
		}
		done += len(p.funders)
		if progress != nil {
			progress(done)
		}
	}
	return done, <-read
}

// readPages sends the pages of c's month to out, then closes it.
func (s *Service) readPages(ctx context.Context, c *app.MonthClose, out chan<- page) error {
	defer close(out)
	cache := newPayees(s)
	after := ""
	for {
		funders, err := s.d.Store.FundersToClose(ctx, c.Month, c.CutoffAt, after, s.d.PageSize)
		if err != nil || len(funders) == 0 {
			return err
		}
		fs, err := s.d.Store.FlattrsOfFunders(ctx, c.Month, c.CutoffAt, funders)
		if err != nil {
			return err
		}
		pp, err := cache.load(ctx, fs)
		if err != nil {
			return err
		}
		select {
		case out <- page{funders: funders, flattrs: groupByFunder(fs), payees: pp}:
		case <-ctx.Done():
			return ctx.Err()
		}
		after = funders[len(funders)-1]
	}
}

// closePage closes p's funders in one database transaction, all or
// nothing: it renews the lease (so a worker whose lease ran out cannot
// write beside the one that took it over), skips the funders closed
// before, reads the wallets and budgets of the others in a few queries,
// splits in memory, and writes every funder's ledger transaction, close
// row and lines in a few statements.
func (s *Service) closePage(ctx context.Context, c *app.MonthClose, p page) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		now := s.d.Now()
		if _, held, err := s.d.Store.TakeClose(ctx, c.Month, s.d.Owner, now, now.Add(leaseFor)); err != nil || !held {
			return errors.Join(err, ErrBusy)
		}
		closed, err := s.d.Store.ClosedAmong(ctx, c.Month, p.funders)
		if err != nil {
			return err
		}
		open := make([]string, 0, len(p.funders))
		for _, f := range p.funders {
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
		fcs := make([]app.FunderClose, len(open))
		var (
			lines []app.CloseLine
			ts    []*app.Transaction
		)
		for i, f := range open {
			b, ok := budgets[f]
			fc := &fcs[i]
			*fc = app.FunderClose{Month: c.Month, FunderURI: f, Amount: min(s.budget(b, ok), max(wallets[f].Minor, 0))}
			if fc.Amount == 0 {
				continue // an empty wallet: nothing to take
			}
			plan, err := s.plan(c.Month, f, wallets[f].Minor, fc.Amount, p.flattrs[f], p.payees)
			if err != nil {
				return fmt.Errorf("funder %s: %w", f, err)
			}
			fc.Amount, fc.Fee, fc.LedgerKey = plan.amount, plan.fee, LedgerKey(c.Month, f)
			lines = append(lines, plan.lines...)
			ts = append(ts, &app.Transaction{Key: fc.LedgerKey, Kind: "close", Memo: "month close " + c.Month, Currency: s.d.Ledger.Currency(),
				Postings: postings(app.Account{Kind: app.AccountWallet, Key: f}, plan.amount, plan.fee, plan.lines)})
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
