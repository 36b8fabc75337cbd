package store

import (
	"context"
	"time"

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
