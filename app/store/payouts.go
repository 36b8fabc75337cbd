package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

type payoutDetailsRow struct {
	CreatorURI    string `gorm:"primaryKey"`
	Name          string
	IBAN          string `gorm:"column:iban"`
	BIC           string `gorm:"column:bic"`
	StripeAccount string
	UpdatedAt     time.Time
}

func (payoutDetailsRow) TableName() string { return "payout_details" }

type payoutBatchRow struct {
	ID        string `gorm:"primaryKey"`
	Provider  string
	Currency  string
	State     string
	Ref       string
	CreatedAt time.Time
	PaidAt    *time.Time
}

func (payoutBatchRow) TableName() string { return "payout_batches" }

func (r *payoutBatchRow) batch() *app.PayoutBatch {
	return &app.PayoutBatch{ID: r.ID, Provider: r.Provider, Currency: r.Currency, State: r.State, Ref: r.Ref, CreatedAt: r.CreatedAt.UTC(), PaidAt: r.PaidAt}
}

type payoutRow struct {
	Key           string `gorm:"primaryKey"`
	BatchID       string
	CreatorURI    string
	Amount        int64
	Currency      string
	Provider      string
	State         string
	Name          string
	IBAN          string `gorm:"column:iban"`
	BIC           string `gorm:"column:bic"`
	StripeAccount string
	Ref           string
	Reason        string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

func (payoutRow) TableName() string { return "payouts" }

func (r *payoutRow) payout() app.Payout {
	return app.Payout{Key: r.Key, BatchID: r.BatchID, CreatorURI: r.CreatorURI, Amount: app.Money{Minor: r.Amount, Currency: r.Currency},
		Provider: r.Provider, State: r.State, Ref: r.Ref, Reason: r.Reason, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		Details: app.PayoutDetails{CreatorURI: r.CreatorURI, Name: r.Name, IBAN: r.IBAN, BIC: r.BIC, StripeAccount: r.StripeAccount}}
}

// PayoutDetailsOf loads creatorURI's payout details (app.ENOTFOUND when
// they gave none).
func (s *Payouts) PayoutDetailsOf(ctx context.Context, creatorURI string) (*app.PayoutDetails, error) {
	var r payoutDetailsRow
	if err := s.conn(ctx).Where("creator_uri = ?", creatorURI).First(&r).Error; err != nil {
		return nil, translate(err, "payout details of "+creatorURI)
	}
	return &app.PayoutDetails{CreatorURI: r.CreatorURI, Name: r.Name, IBAN: r.IBAN, BIC: r.BIC, StripeAccount: r.StripeAccount, UpdatedAt: r.UpdatedAt.UTC()}, nil
}

// SetPayoutDetails stores d (replacing the creator's earlier details).
func (s *Payouts) SetPayoutDetails(ctx context.Context, d app.PayoutDetails) error {
	r := payoutDetailsRow{CreatorURI: d.CreatorURI, Name: d.Name, IBAN: d.IBAN, BIC: d.BIC, StripeAccount: d.StripeAccount, UpdatedAt: time.Now().UTC()}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "creator_uri"}}, DoUpdates: clause.AssignmentColumns([]string{"name", "iban", "bic", "stripe_account", "updated_at"}),
	}).Create(&r).Error
	return translate(err, "payout details of "+d.CreatorURI)
}

// errNoBuildingBatch: every name tried was taken (many runs in one
// second); the caller tries again.
var errNoBuildingBatch = errors.New("no name left for a payout batch this second; run again")

// TakeBuildingBatch returns provider's batch being built, or makes one
// at now named prefix (prefix-1, prefix-2… when a batch has that name
// already): one batch per provider is built at a time.
func (s *Payouts) TakeBuildingBatch(ctx context.Context, prefix, provider, currency string, now time.Time) (*app.PayoutBatch, error) {
	for i := range 10 {
		var rows []payoutBatchRow
		if err := s.conn(ctx).Where("provider = ? AND state = ?", provider, app.BatchBuilding).Limit(1).Find(&rows).Error; err != nil {
			return nil, translate(err, "payout batch of "+provider)
		}
		if len(rows) == 1 {
			return rows[0].batch(), nil
		}
		id := prefix
		if i > 0 {
			id = fmt.Sprintf("%s-%d", prefix, i)
		}
		fresh := payoutBatchRow{ID: id, Provider: provider, Currency: currency, State: app.BatchBuilding, CreatedAt: now.UTC()}
		res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&fresh)
		if res.Error != nil {
			return nil, translate(res.Error, "payout batch "+id)
		}
		if res.RowsAffected == 1 {
			return fresh.batch(), nil
		}
	}
	return nil, errNoBuildingBatch
}

// OpenBatches lists provider's batches that are built but not all paid,
// oldest first.
func (s *Payouts) OpenBatches(ctx context.Context, provider string) ([]*app.PayoutBatch, error) {
	var rows []payoutBatchRow
	if err := s.conn(ctx).Where("provider = ? AND state = ?", provider, app.BatchOpen).Order("created_at, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "open payout batches")
	}
	out := make([]*app.PayoutBatch, len(rows))
	for i := range rows {
		out[i] = rows[i].batch()
	}
	return out, nil
}

// BatchByID loads a batch with its payouts, by creator.
func (s *Payouts) BatchByID(ctx context.Context, id string) (*app.PayoutBatch, error) {
	var r payoutBatchRow
	if err := s.conn(ctx).Where("id = ?", id).First(&r).Error; err != nil {
		return nil, translate(err, "payout batch "+id)
	}
	b := r.batch()
	var rows []payoutRow
	if err := s.conn(ctx).Where("batch_id = ?", id).Order("creator_uri").Find(&rows).Error; err != nil {
		return nil, translate(err, "payouts of batch "+id)
	}
	for i := range rows {
		b.Payouts = append(b.Payouts, rows[i].payout())
	}
	return b, nil
}

// SetBatchState moves a batch to state, with the provider's reference
// and the time it was paid, if any.
func (s *Payouts) SetBatchState(ctx context.Context, id, state, ref string, paidAt *time.Time) error {
	err := s.conn(ctx).Model(&payoutBatchRow{}).Where("id = ?", id).
		Updates(map[string]any{"state": state, "ref": ref, "paid_at": paidAt}).Error
	return translate(err, "payout batch "+id)
}

// InsertPayout writes p, unless a payout with its key (or of its creator
// in its batch) is there already: it tells whether it wrote p.
func (s *Payouts) InsertPayout(ctx context.Context, p *app.Payout) (bool, error) {
	now := time.Now().UTC()
	r := payoutRow{Key: p.Key, BatchID: p.BatchID, CreatorURI: p.CreatorURI, Amount: p.Amount.Minor, Currency: p.Amount.Currency,
		Provider: p.Provider, State: p.State, Name: p.Details.Name, IBAN: p.Details.IBAN, BIC: p.Details.BIC,
		StripeAccount: p.Details.StripeAccount, CreatedAt: now, UpdatedAt: now}
	res := s.conn(ctx).Clauses(clause.OnConflict{DoNothing: true}).Create(&r)
	return res.RowsAffected == 1, translate(res.Error, "payout "+p.Key)
}

// PayoutByKey loads a payout.
func (s *Payouts) PayoutByKey(ctx context.Context, key string) (*app.Payout, error) {
	var r payoutRow
	if err := s.conn(ctx).Where("key = ?", key).First(&r).Error; err != nil {
		return nil, translate(err, "payout "+key)
	}
	p := r.payout()
	return &p, nil
}

// PayoutIn loads creatorURI's payout in batch batchID.
func (s *Payouts) PayoutIn(ctx context.Context, batchID, creatorURI string) (*app.Payout, error) {
	var r payoutRow
	if err := s.conn(ctx).Where("batch_id = ? AND creator_uri = ?", batchID, creatorURI).First(&r).Error; err != nil {
		return nil, translate(err, "payout of "+creatorURI+" in batch "+batchID)
	}
	p := r.payout()
	return &p, nil
}

// SetPayoutState moves a payout from state from to state to, with the
// provider's reference or the reason it failed; it tells whether the
// payout was in state from.
func (s *Payouts) SetPayoutState(ctx context.Context, key, from, to, ref, reason string) (bool, error) {
	res := s.conn(ctx).Model(&payoutRow{}).Where("key = ? AND state = ?", key, from).
		Updates(map[string]any{"state": to, "ref": ref, "reason": reason, "updated_at": time.Now().UTC()})
	return res.RowsAffected == 1, translate(res.Error, "payout "+key)
}

// PayoutsOf lists creatorURI's payouts, newest first.
func (s *Payouts) PayoutsOf(ctx context.Context, creatorURI string) ([]app.Payout, error) {
	var rows []payoutRow
	if err := s.conn(ctx).Where("creator_uri = ?", creatorURI).Order("created_at DESC, key").Find(&rows).Error; err != nil {
		return nil, translate(err, "payouts of "+creatorURI)
	}
	out := make([]app.Payout, len(rows))
	for i := range rows {
		out[i] = rows[i].payout()
	}
	return out, nil
}

// BalancesAtLeast lists, after afterKey, the accounts of kind in currency
// whose balance is min or more, by key, at most limit.
func (s *Ledger) BalancesAtLeast(ctx context.Context, kind, currency string, min int64, afterKey string, limit int) ([]app.Balance, error) {
	var rows []ledgerAccountRow
	err := s.conn(ctx).Where("kind = ? AND currency = ? AND balance >= ? AND key > ?", kind, currency, min, afterKey).
		Order("key").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, translate(err, "balances of "+kind)
	}
	out := make([]app.Balance, len(rows))
	for i, r := range rows {
		out[i] = app.Balance{Account: app.Account{Kind: r.Kind, Key: r.Key}, Money: app.Money{Minor: r.Balance, Currency: r.Currency}}
	}
	return out, nil
}
