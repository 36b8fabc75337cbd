package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// CreatorEarnings is what creatorURI's balance got at each month's close,
// by month (newest first) and thing.
func (s *Statements) CreatorEarnings(ctx context.Context, creatorURI string) ([]app.Earning, error) {
	var out []app.Earning
	err := s.conn(ctx).Raw(`SELECT month, thing_uri, COUNT(DISTINCT activity_uri) AS flattrs, SUM(amount) AS amount
FROM month_close_lines WHERE account_kind = ? AND account_key = ?
GROUP BY month, thing_uri ORDER BY month DESC, thing_uri`, app.AccountCreator, creatorURI).Scan(&out).Error
	return out, translate(err, "earnings of "+creatorURI)
}

// FunderCloses lists funderURI's parts of month closes, newest first.
func (s *Statements) FunderCloses(ctx context.Context, funderURI string) ([]app.FunderClose, error) {
	var rows []monthCloseFunderRow
	if err := s.conn(ctx).Where("funder_uri = ?", funderURI).Order("month DESC").Find(&rows).Error; err != nil {
		return nil, translate(err, "closes of "+funderURI)
	}
	out := make([]app.FunderClose, len(rows))
	for i, r := range rows {
		out[i] = app.FunderClose{Month: r.Month, FunderURI: r.FunderURI, Amount: r.Amount, Fee: r.Fee, LedgerKey: r.LedgerKey}
	}
	return out, nil
}

// FunderLines lists where funderURI's money went at month's close.
func (s *Statements) FunderLines(ctx context.Context, funderURI, month string) ([]app.CloseLine, error) {
	var rows []monthCloseLineRow
	if err := s.conn(ctx).Where("funder_uri = ? AND month = ?", funderURI, month).Order("thing_uri, recipient_uri, id").Find(&rows).Error; err != nil {
		return nil, translate(err, "close lines of "+funderURI)
	}
	out := make([]app.CloseLine, len(rows))
	for i, r := range rows {
		out[i] = app.CloseLine{Month: r.Month, FunderURI: r.FunderURI, ActivityURI: r.ActivityURI, ThingURI: r.ThingURI,
			RecipientURI: r.RecipientURI, Account: app.Account{Kind: r.AccountKind, Key: r.AccountKey}, Amount: r.Amount}
	}
	return out, nil
}

// PendingOf lists creatorURI's pending earnings (accounts of kind
// creator_pending keyed by the peer's host and the creator, in either
// order, separated by a space), by key.
func (s *Statements) PendingOf(ctx context.Context, creatorURI, currency string) ([]app.Balance, error) {
	var rows []ledgerAccountRow
	like := escapeLike(creatorURI)
	err := s.conn(ctx).Where(`kind = ? AND currency = ? AND (key LIKE ? ESCAPE '\' OR key LIKE ? ESCAPE '\')`,
		app.AccountCreatorPending, currency, "% "+like, like+" %").Order("key").Find(&rows).Error
	if err != nil {
		return nil, translate(err, "pending earnings of "+creatorURI)
	}
	out := make([]app.Balance, len(rows))
	for i, r := range rows {
		out[i] = app.Balance{Account: app.Account{Kind: r.Kind, Key: r.Key}, Money: app.Money{Minor: r.Balance, Currency: r.Currency}}
	}
	return out, nil
}
