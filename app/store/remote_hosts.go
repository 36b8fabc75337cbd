package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// successRewrite is how stale a host's last success may get before a new
// success is written again: a healthy host is not rewritten on every
// delivery.
const successRewrite = time.Minute

// RemoteHostByName loads what is known of a host's delivery health;
// app.ENOTFOUND when nothing is.
func (s *Hosts) RemoteHostByName(ctx context.Context, host string) (*app.RemoteHost, error) {
	var h app.RemoteHost
	err := s.conn(ctx).Where("host = ?", host).Take(&h).Error
	return &h, translate(err, "remote host "+host)
}

// RecordHostSuccess records that host answered: its failure streak ends
// and it is reachable.
func (s *Hosts) RecordHostSuccess(ctx context.Context, host string, now time.Time) error {
	now = now.UTC()
	h := app.RemoteHost{Host: host, LastSuccessAt: &now, UpdatedAt: now}
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "host"}},
		DoUpdates: clause.Assignments(map[string]any{
			"failures": 0, "first_failure_at": nil, "unreachable_since": nil, "last_success_at": now, "updated_at": now,
		}),
		Where: clause.Where{Exprs: []clause.Expression{gorm.Expr(
			"remote_hosts.failures > 0 OR remote_hosts.unreachable_since IS NOT NULL OR remote_hosts.last_success_at IS NULL OR remote_hosts.last_success_at < ?",
			now.Add(-successRewrite))}},
	}).Create(&h).Error
	return translate(err, "success of host "+host)
}

// RecordHostFailure counts a failed delivery to host. When the host has
// failed without a success in between for longer than unreachableAfter, it
// is marked unreachable and its pending deliveries are skipped; the result
// tells whether this call marked it.
func (s *Hosts) RecordHostFailure(ctx context.Context, host string, now time.Time, unreachableAfter time.Duration) (bool, error) {
	now = now.UTC()
	marked := false
	err := s.WithTx(ctx, func(ctx context.Context) error {
		h := app.RemoteHost{Host: host, Failures: 1, FirstFailureAt: &now, LastFailureAt: &now, UpdatedAt: now}
		err := s.conn(ctx).Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "host"}},
			DoUpdates: clause.Assignments(map[string]any{
				"failures":         gorm.Expr("remote_hosts.failures + 1"),
				"first_failure_at": gorm.Expr("COALESCE(remote_hosts.first_failure_at, excluded.first_failure_at)"),
				"last_failure_at":  now,
				"updated_at":       now,
			}),
		}).Create(&h).Error
		if err != nil {
			return translate(err, "failure of host "+host)
		}
		res := s.conn(ctx).Model(&app.RemoteHost{}).
			Where("host = ? AND unreachable_since IS NULL AND first_failure_at <= ?", host, now.Add(-unreachableAfter)).
			Update("unreachable_since", now)
		if res.Error != nil {
			return translate(res.Error, "mark host "+host+" unreachable")
		}
		if marked = res.RowsAffected == 1; !marked {
			return nil
		}
		err = s.conn(ctx).Model(&app.Delivery{}).Where("host = ? AND state = ?", host, app.DeliveryPending).
			Updates(map[string]any{
				"state":      app.DeliverySkipped,
				"last_error": fmt.Sprintf("host unreachable since %s", now.Format(time.RFC3339)),
				"updated_at": now,
			}).Error
		return translate(err, "skip deliveries to "+host)
	})
	return marked, err
}

// MarkHostReachable ends host's failure streak and unreachable mark, if it
// has one; it reports whether it had.
func (s *Hosts) MarkHostReachable(ctx context.Context, host string, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.RemoteHost{}).
		Where("host = ? AND (failures > 0 OR unreachable_since IS NOT NULL)", host).
		Updates(map[string]any{"failures": 0, "first_failure_at": nil, "unreachable_since": nil, "updated_at": now.UTC()})
	return res.RowsAffected == 1, translate(res.Error, "mark host "+host+" reachable")
}
