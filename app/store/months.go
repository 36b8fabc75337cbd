package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

type budgetRow struct {
	FunderURI   string `gorm:"primaryKey"`
	AmountMinor int64
	Currency    string
	UpdatedAt   time.Time
}

func (budgetRow) TableName() string { return "budgets" }

type monthCloseRow struct {
	Month      string `gorm:"primaryKey"`
	Stage      string
	CutoffAt   time.Time
	LeaseOwner string
	LeaseUntil time.Time
	Funders    int64
	StartedAt  time.Time
	FinishedAt *time.Time
}

func (monthCloseRow) TableName() string { return "month_closes" }

func (r *monthCloseRow) close() *app.MonthClose {
	return &app.MonthClose{Month: r.Month, Stage: r.Stage, CutoffAt: r.CutoffAt.UTC(), Funders: r.Funders, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt}
}

type monthCloseFunderRow struct {
	Month     string `gorm:"primaryKey"`
	FunderURI string `gorm:"primaryKey"`
	Amount    int64
	Fee       int64
	LedgerKey string
	CreatedAt time.Time
}

func (monthCloseFunderRow) TableName() string { return "month_close_funders" }

type monthCloseLineRow struct {
	ID           int64
	Month        string
	FunderURI    string
	ActivityURI  string
	ThingURI     string
	RecipientURI string
	AccountKind  string
	AccountKey   string
	Amount       int64
}

func (monthCloseLineRow) TableName() string { return "month_close_lines" }

// BudgetOf is funderURI's monthly budget; ok is false when they set none.
func (s *Months) BudgetOf(ctx context.Context, funderURI string) (m app.Money, ok bool, err error) {
	var rows []budgetRow
	if err := s.conn(ctx).Where("funder_uri = ?", funderURI).Limit(1).Find(&rows).Error; err != nil {
		return m, false, translate(err, "budget of "+funderURI)
	}
	if len(rows) == 0 {
		return m, false, nil
	}
	return app.Money{Minor: rows[0].AmountMinor, Currency: rows[0].Currency}, true, nil
}

// SetBudget stores funderURI's monthly budget.
func (s *Months) SetBudget(ctx context.Context, funderURI string, m app.Money) error {
	r := budgetRow{FunderURI: funderURI, AmountMinor: m.Minor, Currency: m.Currency, UpdatedAt: time.Now().UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "funder_uri"}}, DoUpdates: clause.AssignmentColumns([]string{"amount_minor", "currency", "updated_at"}),
	}).Create(&r).Error
	return translate(err, "budget of "+funderURI)
}

// TakeClose starts month's close (fixing its cut-off at now) or resumes
// it, under a lease for owner until leaseUntil: it returns the close and
// whether owner holds the lease (false while another worker's lease
// runs).
func (s *Months) TakeClose(ctx context.Context, month, owner string, now, leaseUntil time.Time) (*app.MonthClose, bool, error) {
	now = now.UTC()
	fresh := monthCloseRow{Month: month, Stage: app.CloseFunders, CutoffAt: now, LeaseUntil: now, StartedAt: now}
	if err := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh).Error; err != nil {
		return nil, false, translate(err, "close of "+month)
	}
	res := s.conn(ctx).Model(&monthCloseRow{}).
		Where("month = ? AND (lease_until <= ? OR lease_owner = ?)", month, now, owner).
		Updates(map[string]any{"lease_owner": owner, "lease_until": leaseUntil.UTC()})
	if res.Error != nil {
		return nil, false, translate(res.Error, "close of "+month)
	}
	var r monthCloseRow
	if err := s.conn(ctx).Where("month = ?", month).First(&r).Error; err != nil {
		return nil, false, translate(err, "close of "+month)
	}
	return r.close(), res.RowsAffected == 1, nil
}

// CloseOf loads month's close.
func (s *Months) CloseOf(ctx context.Context, month string) (*app.MonthClose, error) {
	var r monthCloseRow
	if err := s.conn(ctx).Where("month = ?", month).First(&r).Error; err != nil {
		return nil, translate(err, "close of "+month)
	}
	return r.close(), nil
}

// FinishClose marks month closed and lets go of the lease.
func (s *Months) FinishClose(ctx context.Context, month string, funders int64, at time.Time) error {
	at = at.UTC()
	err := s.conn(ctx).Model(&monthCloseRow{}).Where("month = ?", month).
		Updates(map[string]any{"stage": app.CloseDone, "funders": funders, "finished_at": at, "lease_owner": "", "lease_until": at}).Error
	return translate(err, "close of "+month)
}

// ReleaseClose lets go of owner's lease on month's close.
func (s *Months) ReleaseClose(ctx context.Context, month, owner string, at time.Time) error {
	err := s.conn(ctx).Model(&monthCloseRow{}).Where("month = ? AND lease_owner = ?", month, owner).
		Updates(map[string]any{"lease_owner": "", "lease_until": at.UTC()}).Error
	return translate(err, "close of "+month)
}

// FundersToClose lists, after afterURI, the local funders with standing
// flattrs in month made before cutoff, by URI, at most limit.
func (s *Months) FundersToClose(ctx context.Context, month string, cutoff time.Time, afterURI string, limit int) ([]string, error) {
	var out []string
	err := s.conn(ctx).Raw(`SELECT DISTINCT funder_uri FROM flattrs
WHERE month = ? AND local AND state = 'active' AND created_at <= ? AND funder_uri > ?
ORDER BY funder_uri LIMIT ?`, month, cutoff.UTC(), afterURI, limit).Scan(&out).Error
	return out, translate(err, "funders of "+month)
}

// FlattrsOfFunders lists the standing flattrs of month made before
// cutoff by the local funders funderURIs (in the database's order, as
// FundersToClose lists them), by funder and then by thing, with the
// fields a close needs (not the times). It reads the
// range of funders from the first to the last of
// funderURIs in one index scan (a page of a close is such a range) and
// keeps those asked for.
func (s *Months) FlattrsOfFunders(ctx context.Context, month string, cutoff time.Time, funderURIs []string) ([]app.Flattr, error) {
	if len(funderURIs) == 0 {
		return nil, nil
	}
	first, last, want := uriRange(funderURIs)
	// Only the columns a close reads, scanned without gorm: a close reads
	// every flattr of the month.
	rows, err := s.conn(ctx).Raw(`SELECT id, activity_uri, funder_uri, thing_uri, owner_uri, weight, tip FROM flattrs
WHERE funder_uri >= ? AND funder_uri <= ? AND month = ? AND local AND state = 'active' AND created_at <= ?
ORDER BY funder_uri, thing_uri`, first, last, month, cutoff.UTC()).Rows()
	if err != nil {
		return nil, translate(err, "flattrs of "+month)
	}
	defer rows.Close()
	var out []app.Flattr
	for rows.Next() {
		f := app.Flattr{Month: month, Local: true, State: app.FlattrActive}
		if err := rows.Scan(&f.ID, &f.ActivityURI, &f.FunderURI, &f.ThingURI, &f.OwnerURI, &f.Weight, &f.Tip); err != nil {
			return nil, translate(err, "flattrs of "+month)
		}
		if want[f.FunderURI] {
			out = append(out, f)
		}
	}
	return out, translate(rows.Err(), "flattrs of "+month)
}

// ClosedAmong tells which of funderURIs' parts of month's close are done
// (funderURIs in the database's order). Like FlattrsOfFunders, it reads the range from the first to the last
// of funderURIs: a list of hundreds of values would make the planner scan
// the table when its statistics are older than the close.
func (s *Months) ClosedAmong(ctx context.Context, month string, funderURIs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(funderURIs) == 0 {
		return out, nil
	}
	first, last, want := uriRange(funderURIs)
	var done []string
	err := s.conn(ctx).Model(&monthCloseFunderRow{}).Where("month = ? AND funder_uri >= ? AND funder_uri <= ?", month, first, last).
		Pluck("funder_uri", &done).Error
	if err != nil {
		return nil, translate(err, "close of "+month)
	}
	for _, f := range done {
		if want[f] {
			out[f] = true
		}
	}
	return out, nil
}

// uriRange is the first and the last of uris, which are in the
// database's order (as FundersToClose lists them; Go's order of strings
// may not be the collation's), and their set.
func uriRange(uris []string) (first, last string, set map[string]bool) {
	set = make(map[string]bool, len(uris))
	for _, u := range uris {
		set[u] = true
	}
	return uris[0], uris[len(uris)-1], set
}

// BudgetsOf are the monthly budgets funderURIs set, by funder (those who
// set none are left out).
func (s *Months) BudgetsOf(ctx context.Context, funderURIs []string) (map[string]app.Money, error) {
	out := map[string]app.Money{}
	for from := 0; from < len(funderURIs); from += sqliteBulkRows {
		var rows []budgetRow
		if err := s.conn(ctx).Where("funder_uri IN ?", funderURIs[from:min(from+sqliteBulkRows, len(funderURIs))]).Find(&rows).Error; err != nil {
			return nil, translate(err, "budgets")
		}
		for _, r := range rows {
			out[r.FunderURI] = app.Money{Minor: r.AmountMinor, Currency: r.Currency}
		}
	}
	return out, nil
}

// RecordFunderCloses stores funders' parts of a close and their lines, in
// a few statements; a funder recorded before is app.ECONFLICT.
func (s *Months) RecordFunderCloses(ctx context.Context, fcs []app.FunderClose, lines []app.CloseLine) error {
	now := time.Now().UTC()
	n := len(fcs)
	months, funders, keys := make([]string, n), make([]string, n), make([]string, n)
	amounts, fees, ats := make([]int64, n), make([]int64, n), make([]time.Time, n)
	for i, fc := range fcs {
		months[i], funders[i], keys[i], amounts[i], fees[i], ats[i] = fc.Month, fc.FunderURI, fc.LedgerKey, fc.Amount, fc.Fee, now
	}
	err := s.bulkInsert(ctx, "month_close_funders", []bulkCol{
		{"month", "text", months}, {"funder_uri", "text", funders}, {"amount", "bigint", amounts}, {"fee", "bigint", fees},
		{"ledger_key", "text", keys}, {"created_at", "timestamptz", ats},
	}, "", nil)
	if err != nil {
		return translate(err, fmt.Sprintf("close of %d funders", n))
	}
	return s.recordCloseLines(ctx, lines)
}

func (s *Months) recordCloseLines(ctx context.Context, lines []app.CloseLine) error {
	n := len(lines)
	months, funders, activities, things := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	recipients, kinds, keys, amounts := make([]string, n), make([]string, n), make([]string, n), make([]int64, n)
	for i, l := range lines {
		months[i], funders[i], activities[i], things[i] = l.Month, l.FunderURI, l.ActivityURI, l.ThingURI
		recipients[i], kinds[i], keys[i], amounts[i] = l.RecipientURI, l.Account.Kind, l.Account.Key, l.Amount
	}
	err := s.bulkInsert(ctx, "month_close_lines", []bulkCol{
		{"month", "text", months}, {"funder_uri", "text", funders}, {"activity_uri", "text", activities}, {"thing_uri", "text", things},
		{"recipient_uri", "text", recipients}, {"account_kind", "text", kinds}, {"account_key", "text", keys}, {"amount", "bigint", amounts},
	}, "", nil)
	return translate(err, fmt.Sprintf("%d close lines", n))
}

// CloseLines lists the lines of month's close, by id.
func (s *Months) CloseLines(ctx context.Context, month string) ([]app.CloseLine, error) {
	var rows []monthCloseLineRow
	if err := s.conn(ctx).Where("month = ?", month).Order("id").Find(&rows).Error; err != nil {
		return nil, translate(err, "close lines of "+month)
	}
	out := make([]app.CloseLine, len(rows))
	for i, r := range rows {
		out[i] = app.CloseLine{Month: r.Month, FunderURI: r.FunderURI, ActivityURI: r.ActivityURI, ThingURI: r.ThingURI,
			RecipientURI: r.RecipientURI, Account: app.Account{Kind: r.AccountKind, Key: r.AccountKey}, Amount: r.Amount}
	}
	return out, nil
}

// RecordFunderClose stores one funder's part of a close and its lines.
func (s *Months) RecordFunderClose(ctx context.Context, fc app.FunderClose, lines []app.CloseLine) error {
	return s.RecordFunderCloses(ctx, []app.FunderClose{fc}, lines)
}
