package store

import (
	"context"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

type escrowSettlementRow struct {
	EscrowKey string `gorm:"primaryKey"`
	FunderURI string `gorm:"primaryKey"`
	Month     string `gorm:"primaryKey"`
	Outcome   string
	Amount    int64
	LedgerKey string
	CreatedAt time.Time
}

func (escrowSettlementRow) TableName() string { return "escrow_settlements" }

// EscrowHeld lists what funders' closes put in escrow in months before
// beforeMonth and nothing has settled yet, per owner (escrow key), funder
// and month, in that order, at most limit, after the given position.
func (s *Months) EscrowHeld(ctx context.Context, beforeMonth string, after app.EscrowDebt, limit int) ([]app.EscrowDebt, error) {
	var out []app.EscrowDebt
	err := s.conn(ctx).Raw(`SELECT l.account_key AS escrow_key, l.funder_uri, l.month, SUM(l.amount) AS amount
FROM month_close_lines l
LEFT JOIN escrow_settlements e ON e.escrow_key = l.account_key AND e.funder_uri = l.funder_uri AND e.month = l.month
WHERE l.account_kind = 'escrow' AND l.month < ? AND e.escrow_key IS NULL
  AND (l.account_key > ? OR (l.account_key = ? AND (l.funder_uri > ? OR (l.funder_uri = ? AND l.month > ?))))
GROUP BY l.account_key, l.funder_uri, l.month
ORDER BY l.account_key, l.funder_uri, l.month LIMIT ?`,
		beforeMonth, after.EscrowKey, after.EscrowKey, after.FunderURI, after.FunderURI, after.Month, limit).Scan(&out).Error
	return out, translate(err, "escrow held")
}

// RecordEscrowSettlement stores what became of an escrow debt; false when
// it was settled already.
func (s *Months) RecordEscrowSettlement(ctx context.Context, d app.EscrowDebt, outcome, ledgerKey string) (bool, error) {
	r := escrowSettlementRow{EscrowKey: d.EscrowKey, FunderURI: d.FunderURI, Month: d.Month, Outcome: outcome, Amount: d.Amount,
		LedgerKey: ledgerKey, CreatedAt: time.Now().UTC()}
	res := s.conn(ctx).Create(&r)
	if res.Error != nil {
		return false, translate(res.Error, "escrow of "+d.EscrowKey)
	}
	return res.RowsAffected == 1, nil
}

// EscrowOwnersHolding lists the owners (actors: escrow for a known
// recipient, not a thing's URL) for whom escrow holds at least threshold,
// unsettled, by owner.
func (s *Months) EscrowOwnersHolding(ctx context.Context, threshold int64) ([]app.EscrowHolding, error) {
	var out []app.EscrowHolding
	err := s.conn(ctx).Raw(`SELECT l.account_key AS key, SUM(l.amount) AS amount
FROM month_close_lines l
LEFT JOIN escrow_settlements e ON e.escrow_key = l.account_key AND e.funder_uri = l.funder_uri AND e.month = l.month
WHERE l.account_kind = 'escrow' AND l.recipient_uri <> '' AND l.recipient_uri = l.account_key AND e.escrow_key IS NULL
GROUP BY l.account_key HAVING SUM(l.amount) >= ? ORDER BY l.account_key`, threshold).Scan(&out).Error
	return out, translate(err, "escrow held per owner")
}

// EscrowDebtsOf lists the unsettled escrow debts of keys that match: the
// key itself, or every key under prefix when prefix is true.
func (s *Months) EscrowDebtsOf(ctx context.Context, key string, prefix bool) ([]app.EscrowDebt, error) {
	q := `SELECT l.account_key AS escrow_key, l.funder_uri, l.month, SUM(l.amount) AS amount
FROM month_close_lines l
LEFT JOIN escrow_settlements e ON e.escrow_key = l.account_key AND e.funder_uri = l.funder_uri AND e.month = l.month
WHERE l.account_kind = 'escrow' AND e.escrow_key IS NULL AND `
	arg := key
	if prefix {
		q += `l.account_key LIKE ? ESCAPE '\'`
		arg = likePrefix(key)
	} else {
		q += `l.account_key = ?`
	}
	q += ` GROUP BY l.account_key, l.funder_uri, l.month ORDER BY l.account_key, l.funder_uri, l.month`
	var out []app.EscrowDebt
	err := s.conn(ctx).Raw(q, arg).Scan(&out).Error
	return out, translate(err, "escrow debts of "+key)
}

func likePrefix(p string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(p) + "%"
}

type escrowNoticeRow struct {
	OwnerURI string `gorm:"primaryKey"`
	Month    string `gorm:"primaryKey"`
	Amount   int64
	Outcome  string
	SentAt   time.Time
}

func (escrowNoticeRow) TableName() string { return "escrow_notices" }

// LastEscrowNotice is the newest notice to owner: its month and the
// amount it told of; ok is false when none was sent.
func (s *Months) LastEscrowNotice(ctx context.Context, owner string) (month string, amount int64, ok bool, err error) {
	var rows []escrowNoticeRow
	if err := s.conn(ctx).Where("owner_uri = ?", owner).Order("month DESC").Limit(1).Find(&rows).Error; err != nil {
		return "", 0, false, translate(err, "escrow notices of "+owner)
	}
	if len(rows) == 0 {
		return "", 0, false, nil
	}
	return rows[0].Month, rows[0].Amount, true, nil
}

// RecordEscrowNotice stores a notice to owner for month; false when one
// was recorded for that month already.
func (s *Months) RecordEscrowNotice(ctx context.Context, owner, month string, amount int64, outcome string, at time.Time) (bool, error) {
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&escrowNoticeRow{OwnerURI: owner, Month: month, Amount: amount, Outcome: outcome, SentAt: at.UTC()})
	if res.Error != nil {
		return false, translate(res.Error, "escrow notice to "+owner)
	}
	return res.RowsAffected == 1, nil
}

// VerifiedClaimsHolding lists the verified claims that cover escrow not
// settled yet: an actor claim of an owner with escrow, a site claim whose
// prefix covers a thing's escrow.
func (s *Claims) VerifiedClaimsHolding(ctx context.Context) ([]app.Claim, error) {
	var rows []claimRow
	err := s.conn(ctx).Raw(`SELECT c.* FROM claims c WHERE c.state = ? AND EXISTS (
  SELECT 1 FROM month_close_lines l
  LEFT JOIN escrow_settlements e ON e.escrow_key = l.account_key AND e.funder_uri = l.funder_uri AND e.month = l.month
  WHERE l.account_kind = 'escrow' AND e.escrow_key IS NULL
    AND (l.account_key = c.subject OR (c.kind = ? AND substr(l.account_key, 1, length(c.subject)) = c.subject)))
ORDER BY c.id`, app.ClaimVerified, app.ClaimSite).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "claims holding escrow")
	}
	out := make([]app.Claim, len(rows))
	for i := range rows {
		out[i] = *rows[i].claim()
	}
	return out, nil
}

// EscrowLinesOf lists the close lines of one escrow debt: what funder's
// close of month put in escrow for key, per Like and thing.
func (s *Months) EscrowLinesOf(ctx context.Context, d app.EscrowDebt) ([]app.CloseLine, error) {
	var rows []struct {
		Month, FunderURI, ActivityURI, ThingURI, RecipientURI string
		Amount                                                int64
	}
	err := s.conn(ctx).Raw(`SELECT month, funder_uri, activity_uri, thing_uri, recipient_uri, SUM(amount) AS amount FROM month_close_lines
WHERE account_kind = 'escrow' AND account_key = ? AND funder_uri = ? AND month = ?
GROUP BY month, funder_uri, activity_uri, thing_uri, recipient_uri ORDER BY activity_uri, thing_uri`, d.EscrowKey, d.FunderURI, d.Month).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "escrow lines of "+d.EscrowKey)
	}
	out := make([]app.CloseLine, len(rows))
	for i, r := range rows {
		out[i] = app.CloseLine{Month: r.Month, FunderURI: r.FunderURI, ActivityURI: r.ActivityURI, ThingURI: r.ThingURI, RecipientURI: r.RecipientURI,
			Account: app.Account{Kind: app.AccountEscrow, Key: d.EscrowKey}, Amount: r.Amount}
	}
	return out, nil
}
