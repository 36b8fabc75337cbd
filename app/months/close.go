// Package months holds the month close: at the end of each month (after a
// grace period for late deliveries) every funder's budget is split over
// the month's flattrs by weight and written to the ledger, one transaction
// per funder. The close is staged and resumable, like Liberapay's payday:
// its stage and cut-off time are stored, a rerun skips the funders done,
// and a lease keeps two workers from closing one month at once.
package months

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists budgets and closes (implemented by store.Months).
type Store interface {
	BudgetOf(ctx context.Context, funderURI string) (app.Money, bool, error)
	SetBudget(ctx context.Context, funderURI string, m app.Money) error
	TakeClose(ctx context.Context, month, owner string, now, leaseUntil time.Time) (*app.MonthClose, bool, error)
	FinishClose(ctx context.Context, month string, funders int64, at time.Time) error
	ReleaseClose(ctx context.Context, month, owner string, at time.Time) error
	FundersToClose(ctx context.Context, month string, cutoff time.Time, afterURI string, limit int) ([]string, error)
	FlattrsToClose(ctx context.Context, funderURI, month string, cutoff time.Time) ([]app.Flattr, error)
	FunderClosed(ctx context.Context, month, funderURI string) (bool, error)
	RecordFunderClose(ctx context.Context, fc app.FunderClose, lines []app.CloseLine) error
	CloseOf(ctx context.Context, month string) (*app.MonthClose, error)
}

// Ledger posts transactions (implemented by app/ledger.Service).
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	Balance(ctx context.Context, a app.Account) (app.Money, error)
	Currency() string
}

// Things finds what was flattred and who shares its money (implemented by
// app/things.Service).
type Things interface {
	ByURI(ctx context.Context, uri string) (*app.Thing, error)
	Recipients(ctx context.Context, thingURI string) ([]app.Recipient, error)
}

// Peers tells which servers settle flattrs with this one (Plaudit servers
// that send monthly statements); money for their creators is owed to the
// server. Without Peers, every remote creator's money waits in escrow.
type Peers interface {
	SettlesWith(ctx context.Context, host string) (bool, error)
}

// Addresses tells local actors apart (implemented by federation.URLs).
type Addresses interface {
	IsLocal(uri string) bool
}

// Deps are what the Service needs.
type Deps struct {
	Tx     app.Transactor
	Store  Store
	Ledger Ledger
	Things Things
	Peers  Peers
	URLs   Addresses
	// MinBudget is a funder's budget until they set one.
	MinBudget app.Money
	// FeePercent of each funder's amount goes to the instance (0–50).
	FeePercent int
	// GraceDays after a month ends before it may be closed.
	GraceDays int
	// Owner names this worker in the close's lease.
	Owner string
	Now   func() time.Time
}

// Service closes months.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Owner == "" {
		d.Owner = "plaudit"
	}
	return &Service{d: d}
}

// leaseFor is how long a close holds its lease between renewals.
const leaseFor = 5 * time.Minute

// ErrBusy is returned when another worker is closing the month.
var ErrBusy = errors.New("another worker is closing this month")

// Progress is told how many funders are done so far.
type Progress func(done int)

// Closed tells whether month is closed: its money split, its flattrs
// fixed (app/flattrs.Months). A month whose close has begun counts as
// closed: its flattrs must not change under the close.
func (s *Service) Closed(ctx context.Context, month string) (bool, error) {
	_, end, err := app.MonthBounds(month)
	if err != nil {
		return false, err
	}
	if !s.d.Now().Before(end.AddDate(0, 0, s.d.GraceDays)) {
		return true, nil
	}
	_, err = s.d.Store.CloseOf(ctx, month)
	switch {
	case err == nil:
		return true, nil // closed early
	case errors.Is(err, app.ErrNotFound):
		return false, nil
	}
	return false, err
}

// Close splits every funder's budget for month over their flattrs and
// writes it to the ledger. early allows closing a month whose grace period
// (or the month itself) has not ended, for trials and tests. A second run
// after success changes nothing; a run after a crash resumes where the
// first stopped, with the same cut-off, and ends with the same ledger as
// one clean run.
func (s *Service) Close(ctx context.Context, month string, early bool, progress Progress) (*app.MonthClose, error) {
	start, end, err := app.MonthBounds(month)
	if err != nil {
		return nil, err
	}
	now := s.d.Now().UTC()
	switch {
	case start.After(now):
		return nil, app.Errorf(app.EINVALID, "%s has not begun", month)
	case !early && now.Before(end.AddDate(0, 0, s.d.GraceDays)):
		return nil, app.Errorf(app.EINVALID, "%s may be closed from %s, after its grace period of %d days (or close it early)",
			month, end.AddDate(0, 0, s.d.GraceDays).Format(time.RFC3339), s.d.GraceDays)
	}
	c, held, err := s.d.Store.TakeClose(ctx, month, s.d.Owner, now, now.Add(leaseFor))
	if err != nil {
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	if c.Stage == app.CloseDone {
		return c, nil
	}
	if !held {
		return nil, fmt.Errorf("close %s: %w", month, ErrBusy)
	}
	n, err := s.closeFunders(ctx, c, progress)
	if err != nil {
		_ = s.d.Store.ReleaseClose(context.WithoutCancel(ctx), month, s.d.Owner, s.d.Now())
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	if err := s.d.Store.FinishClose(ctx, month, int64(n), s.d.Now()); err != nil {
		return nil, fmt.Errorf("close %s: %w", month, err)
	}
	c.Stage, c.Funders = app.CloseDone, int64(n)
	return c, nil
}

// closeFunders closes each funder of c's month, page by page, renewing the
// lease as it goes, and returns how many funders the month has.
func (s *Service) closeFunders(ctx context.Context, c *app.MonthClose, progress Progress) (int, error) {
	done, after := 0, ""
	for {
		funders, err := s.d.Store.FundersToClose(ctx, c.Month, c.CutoffAt, after, 100)
		if err != nil {
			return done, err
		}
		if len(funders) == 0 {
			return done, nil
		}
		for _, funder := range funders {
			if err := s.closeFunder(ctx, c, funder); err != nil {
				return done, fmt.Errorf("funder %s: %w", funder, err)
			}
			done++
			if progress != nil {
				progress(done)
			}
			after = funder
		}
		now := s.d.Now()
		if _, held, err := s.d.Store.TakeClose(ctx, c.Month, s.d.Owner, now, now.Add(leaseFor)); err != nil || !held {
			return done, errors.Join(err, ErrBusy)
		}
	}
}

// closeFunder writes one funder's part of the close: the amount taken from
// the wallet (the budget, or what the wallet holds when less, plus the
// tips the rest of the wallet covers), the fee, and each flattr's share to wherever its creators' money goes, as one
// ledger transaction with the funder's close row, all or nothing. A funder
// already closed is skipped.
func (s *Service) closeFunder(ctx context.Context, c *app.MonthClose, funder string) error {
	return s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		closed, err := s.d.Store.FunderClosed(ctx, c.Month, funder)
		if err != nil || closed {
			return err
		}
		wallet := app.Account{Kind: app.AccountWallet, Key: funder}
		balance, err := s.d.Ledger.Balance(ctx, wallet)
		if err != nil {
			return err
		}
		budget, err := s.budget(ctx, funder)
		if err != nil {
			return err
		}
		amount := min(budget, max(balance.Minor, 0))
		fc := app.FunderClose{Month: c.Month, FunderURI: funder, Amount: amount}
		if amount == 0 {
			return s.d.Store.RecordFunderClose(ctx, fc, nil)
		}
		fs, err := s.d.Store.FlattrsToClose(ctx, funder, c.Month, c.CutoffAt)
		if err != nil {
			return err
		}
		fc.Fee = amount * int64(s.d.FeePercent) / 100
		lines, err := s.split(ctx, c.Month, funder, amount-fc.Fee, fs)
		if err != nil {
			return err
		}
		tipLines, tipped, tipFee, err := s.tips(ctx, c.Month, funder, balance.Minor-amount, fs)
		if err != nil {
			return err
		}
		lines = append(lines, tipLines...)
		amount += tipped
		fc.Amount, fc.Fee = amount, fc.Fee+tipFee
		fc.LedgerKey = "close:" + c.Month + ":" + funder
		t := &app.Transaction{Key: fc.LedgerKey, Kind: "close", Memo: "month close " + c.Month, Currency: s.d.Ledger.Currency(),
			Postings: postings(wallet, amount, fc.Fee, lines)}
		if _, err := s.d.Ledger.Post(ctx, t); err != nil {
			return err
		}
		return s.d.Store.RecordFunderClose(ctx, fc, lines)
	})
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
	balance, err := s.d.Ledger.Balance(ctx, app.Account{Kind: app.AccountWallet, Key: funder})
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	budget, err := s.budget(ctx, funder)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	amount := min(budget, max(balance.Minor, 0))
	fee := amount * int64(s.d.FeePercent) / 100
	fs, err := s.d.Store.FlattrsToClose(ctx, funder, month, s.d.Now())
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	p := &Projection{Month: month, Wallet: balance, Budget: app.Money{Minor: budget, Currency: cur},
		Amount: app.Money{Minor: amount, Currency: cur}, Fee: app.Money{Minor: fee, Currency: cur}}
	if len(fs) == 0 {
		p.Amount.Minor, p.Fee.Minor = 0, 0 // nothing flattred: the money stays
		return p, nil
	}
	if p.Lines, err = s.split(ctx, month, funder, amount-fee, fs); err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	tipLines, tipped, tipFee, err := s.tips(ctx, month, funder, balance.Minor-amount, fs)
	if err != nil {
		return nil, fmt.Errorf("projection: %w", err)
	}
	p.Lines = append(p.Lines, tipLines...)
	p.Amount.Minor += tipped
	p.Fee.Minor += tipFee
	return p, nil
}

// Budget is funder's monthly budget (the minimum until they set one).
func (s *Service) Budget(ctx context.Context, funder string) (app.Money, error) {
	b, err := s.budget(ctx, funder)
	return app.Money{Minor: b, Currency: s.d.MinBudget.Currency}, err
}

// budget is what funder spends this month: their budget, else the
// minimum.
func (s *Service) budget(ctx context.Context, funder string) (int64, error) {
	b, ok, err := s.d.Store.BudgetOf(ctx, funder)
	if err != nil {
		return 0, err
	}
	if !ok || b.Currency != s.d.MinBudget.Currency || b.Minor < s.d.MinBudget.Minor {
		return s.d.MinBudget.Minor, nil
	}
	return b.Minor, nil
}

// split divides amount over the flattrs by weight, then each flattr's
// share over its thing's recipients by their shares, both by the largest
// remainder (ties by thing id, then by recipient), and says where each
// part goes.
func (s *Service) split(ctx context.Context, month, funder string, amount int64, fs []app.Flattr) ([]app.CloseLine, error) {
	parts := make([]Part, len(fs))
	for i, f := range fs {
		parts[i] = Part{Key: f.ThingURI, Weight: int64(f.Weight)}
	}
	var lines []app.CloseLine
	for i, share := range Split(amount, parts) {
		more, err := s.shareLines(ctx, month, funder, &fs[i], share)
		if err != nil {
			return nil, err
		}
		lines = append(lines, more...)
	}
	return lines, nil
}

// tips pays the flattrs' tips out of what the wallet holds beyond the
// budget's amount, in thing order, each in full or not at all, less the
// fee; it returns the lines, what the tips took and their fee.
func (s *Service) tips(ctx context.Context, month, funder string, room int64, fs []app.Flattr) (lines []app.CloseLine, taken, fee int64, err error) {
	for i := range fs {
		tip := fs[i].Tip
		if tip <= 0 || tip > room {
			continue
		}
		room -= tip
		tipFee := tip * int64(s.d.FeePercent) / 100
		more, err := s.shareLines(ctx, month, funder, &fs[i], tip-tipFee)
		if err != nil {
			return nil, 0, 0, err
		}
		lines = append(lines, more...)
		taken += tip
		fee += tipFee
	}
	return lines, taken, fee, nil
}

// shareLines divides one flattr's share over its thing's recipients.
func (s *Service) shareLines(ctx context.Context, month, funder string, f *app.Flattr, share int64) ([]app.CloseLine, error) {
	if share == 0 {
		return nil, nil
	}
	t, err := s.d.Things.ByURI(ctx, f.ThingURI)
	if err != nil {
		return nil, fmt.Errorf("thing %s: %w", f.ThingURI, err)
	}
	rs, err := s.recipients(ctx, t)
	if err != nil {
		return nil, err
	}
	rparts := make([]Part, len(rs))
	for j, r := range rs {
		rparts[j] = Part{Key: r.RecipientURI, Weight: int64(r.Share)}
	}
	var lines []app.CloseLine
	for j, part := range Split(share, rparts) {
		if part == 0 {
			continue
		}
		acc, err := s.destination(ctx, t, rs[j].RecipientURI)
		if err != nil {
			return nil, err
		}
		lines = append(lines, app.CloseLine{Month: month, FunderURI: funder, ActivityURI: f.ActivityURI, ThingURI: t.URI,
			RecipientURI: rs[j].RecipientURI, Account: acc, Amount: part})
	}
	return lines, nil
}

// recipients are who share t's money: its co-creators, else its owner,
// else the thing itself (an owner not known yet: escrow by its URL).
func (s *Service) recipients(ctx context.Context, t *app.Thing) ([]app.Recipient, error) {
	if t.OwnerURI != "" && t.OwnerConfirmed {
		rs, err := s.d.Things.Recipients(ctx, t.URI)
		if err != nil {
			return nil, err
		}
		if len(rs) > 0 {
			return rs, nil
		}
		return []app.Recipient{{SubjectURI: t.URI, RecipientURI: t.OwnerURI, Share: 1}}, nil
	}
	return []app.Recipient{{SubjectURI: t.URI, RecipientURI: "", Share: 1}}, nil
}

// destination is the account a recipient's part goes to: a local
// creator's balance; the payable of the peer that hosts a remote creator
// (a server that settles with this one); else escrow for the creator (or,
// for a thing nobody has confirmed, for its URL).
func (s *Service) destination(ctx context.Context, t *app.Thing, recipient string) (app.Account, error) {
	switch {
	case recipient == "":
		return app.Account{Kind: app.AccountEscrow, Key: t.URI}, nil
	case s.d.URLs.IsLocal(recipient):
		return app.Account{Kind: app.AccountCreator, Key: recipient}, nil
	}
	if s.d.Peers != nil {
		host := hostOf(recipient)
		peer, err := s.d.Peers.SettlesWith(ctx, host)
		if err != nil {
			return app.Account{}, err
		}
		if peer {
			return app.Account{Kind: app.AccountPayable, Key: host}, nil
		}
	}
	return app.Account{Kind: app.AccountEscrow, Key: recipient}, nil
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
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

// SetBudget sets funderURI's monthly budget; less than the minimum is
// app.EINVALID.
func (s *Service) SetBudget(ctx context.Context, funderURI string, m app.Money) error {
	if m.Currency != s.d.MinBudget.Currency {
		return app.Errorf(app.EINVALID, "budgets here are in %s, not %s", s.d.MinBudget.Currency, m.Currency)
	}
	if m.Minor < s.d.MinBudget.Minor {
		return app.Errorf(app.EINVALID, "the smallest budget is %s, not %s", s.d.MinBudget, m)
	}
	return s.d.Store.SetBudget(ctx, funderURI, m)
}
