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
	BudgetsOf(ctx context.Context, funderURIs []string) (map[string]app.Money, error)
	FundersToClose(ctx context.Context, month string, cutoff time.Time, afterURI string, limit int) ([]string, error)
	ClosedAmong(ctx context.Context, month string, funderURIs []string) (map[string]bool, error)
	FlattrsOfFunders(ctx context.Context, month string, cutoff time.Time, funderURIs []string) ([]app.Flattr, error)
	RecordFunderCloses(ctx context.Context, fcs []app.FunderClose, lines []app.CloseLine) error
	CloseOf(ctx context.Context, month string) (*app.MonthClose, error)
}

// Ledger posts transactions (implemented by app/ledger.Service).
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	PostAll(ctx context.Context, ts []*app.Transaction) ([]*app.Transaction, error)
	Balances(ctx context.Context, kind string, keys []string) (map[string]app.Money, error)
	Currency() string
}

// Things finds what was flattred and who shares its money (implemented by
// app/things.Service).
type Things interface {
	ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error)
	RecipientsOfThings(ctx context.Context, ts []*app.Thing) (map[string][]app.Recipient, error)
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
	// PageSize is how many funders one database transaction closes
	// (default 1000).
	PageSize int
	Now      func() time.Time
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
	if d.PageSize <= 0 {
		d.PageSize = 1000
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

// Budget is funder's monthly budget (the minimum until they set one).
func (s *Service) Budget(ctx context.Context, funder string) (app.Money, error) {
	b, ok, err := s.d.Store.BudgetOf(ctx, funder)
	if err != nil {
		return app.Money{}, err
	}
	return app.Money{Minor: s.budget(b, ok), Currency: s.d.MinBudget.Currency}, nil
}

// budget is what a funder whose stored budget is b (ok false: none)
// spends this month: their budget, else the minimum.
func (s *Service) budget(b app.Money, ok bool) int64 {
	if !ok || b.Currency != s.d.MinBudget.Currency || b.Minor < s.d.MinBudget.Minor {
		return s.d.MinBudget.Minor
	}
	return b.Minor
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
