package months

import (
	"context"
	"fmt"
	"sort"

	"github.com/plaudit/plaudit/app"
)

// funderPlan is one funder's part of a close, computed in memory: what
// leaves the wallet (the budget's amount plus the tips paid), the fee
// and where the rest goes.
type funderPlan struct {
	amount, fee int64
	lines       []app.CloseLine
}

// plan splits amount (the budget, or what the wallet holds when less)
// over funder's flattrs fs (by thing) less the fee, then pays the tips the
// rest of the wallet (balance) covers.
func (s *Service) plan(month, funder string, balance, amount int64, fs []app.Flattr, ps pagePayees) (funderPlan, error) {
	p := funderPlan{amount: amount, fee: amount * int64(s.d.FeePercent) / 100}
	parts := make([]Part, len(fs))
	for i, f := range fs {
		parts[i] = Part{Key: f.ThingURI, Weight: int64(f.Weight)}
	}
	for i, share := range Split(amount-p.fee, parts) {
		more, err := shareLines(month, funder, &fs[i], share, ps)
		if err != nil {
			return p, err
		}
		p.lines = append(p.lines, more...)
	}
	if err := s.tips(month, funder, balance-amount, fs, ps, &p); err != nil {
		return p, err
	}
	return p, nil
}

// tips pays the flattrs' tips out of room (what the wallet holds beyond
// the budget's amount), in thing order, each in full or not at all, less
// the fee, into p.
func (s *Service) tips(month, funder string, room int64, fs []app.Flattr, ps pagePayees, p *funderPlan) error {
	for i := range fs {
		tip := fs[i].Tip
		if tip <= 0 || tip > room {
			continue
		}
		room -= tip
		tipFee := tip * int64(s.d.FeePercent) / 100
		more, err := shareLines(month, funder, &fs[i], tip-tipFee, ps)
		if err != nil {
			return err
		}
		p.lines = append(p.lines, more...)
		p.amount += tip
		p.fee += tipFee
	}
	return nil
}

// shareLines divides one flattr's share over its thing's payees by their
// shares.
func shareLines(month, funder string, f *app.Flattr, share int64, ps pagePayees) ([]app.CloseLine, error) {
	if share == 0 {
		return nil, nil
	}
	tp, err := ps.of(f.ThingURI)
	if err != nil {
		return nil, err
	}
	var lines []app.CloseLine
	for j, part := range Split(share, tp.parts) {
		if part == 0 {
			continue
		}
		lines = append(lines, app.CloseLine{Month: month, FunderURI: funder, ActivityURI: f.ActivityURI, ThingURI: tp.uri,
			RecipientURI: tp.parts[j].Key, Account: tp.accounts[j], Amount: part})
	}
	return lines, nil
}

// postings are a funder's close: out of the wallet, into the fee and into
// each destination (the lines to one account added up).
func postings(wallet app.Account, amount, fee int64, lines []app.CloseLine) []app.Posting {
	to := map[app.Account]int64{}
	if fee > 0 {
		to[app.Account{Kind: app.AccountFees, Key: "instance"}] += fee
	}
	for _, l := range lines {
		to[l.Account] += l.Amount
	}
	ps := []app.Posting{{Account: wallet, Amount: -amount}}
	accounts := make([]app.Account, 0, len(to))
	for a := range to {
		accounts = append(accounts, a)
	}
	sort.Slice(accounts, func(i, j int) bool { return accounts[i].String() < accounts[j].String() })
	for _, a := range accounts {
		ps = append(ps, app.Posting{Account: a, Amount: to[a]})
	}
	return ps
}

// Projection is what a funder's month would give if it closed now.
type Projection struct {
	Month  string
	Wallet app.Money
	Budget app.Money
	Amount app.Money // what the close would take
	Fee    app.Money
	Lines  []app.CloseLine
}

// Project computes funder's split of month as the close would now,
// without writing anything.
func (s *Service) Project(ctx context.Context, funder, month string) (*Projection, error) {
	if _, err := app.ParseMonth(month); err != nil {
		return nil, err
	}
	cur := s.d.Ledger.Currency()
	wallets, err := s.d.Ledger.Balances(ctx, app.AccountWallet, []string{funder})
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	budget, err := s.Budget(ctx, funder)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	balance := wallets[funder].Minor
	amount := min(budget.Minor, max(balance, 0))
	p := &Projection{Month: month, Wallet: app.Money{Minor: balance, Currency: cur}, Budget: app.Money{Minor: budget.Minor, Currency: cur},
		Amount: app.Money{Currency: cur}, Fee: app.Money{Currency: cur}}
	fs, err := s.d.Store.FlattrsOfFunders(ctx, month, s.d.Now(), []string{funder})
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	if len(fs) == 0 {
		return p, nil // nothing flattred: the money stays
	}
	ps, err := newPayees(s).load(ctx, fs)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	plan, err := s.plan(month, funder, balance, amount, fs, ps)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	p.Amount.Minor, p.Fee.Minor, p.Lines = plan.amount, plan.fee, plan.lines
	return p, nil
}
