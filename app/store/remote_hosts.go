package store

import (
	"context"
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

// RecordHostFailure counts a failed delivery to host (the first failure
// of a streak starts it) and returns what is known of the host now.
func (s *Hosts) RecordHostFailure(ctx context.Context, host string, now time.Time) (*app.RemoteHost, error) {
	now = now.UTC()
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
		return nil, translate(err, "failure of host "+host)
	}
	return s.RemoteHostByName(ctx, host)
}

// MarkHostUnreachable marks host unreachable since now, unless it is
// marked already; it reports whether this call marked it.
func (s *Hosts) MarkHostUnreachable(ctx context.Context, host string, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.RemoteHost{}).Where("host = ? AND unreachable_since IS NULL", host).
		Updates(map[string]any{"unreachable_since": now.UTC(), "updated_at": now.UTC()})
	return res.RowsAffected == 1, translate(res.Error, "mark host "+host+" unreachable")
}

// MarkHostReachable ends host's failure streak and unreachable mark, if it
// has one; it reports whether it had.
func (s *Hosts) MarkHostReachable(ctx context.Context, host string, now time.Time) (bool, error) {
	res := s.conn(ctx).Model(&app.RemoteHost{}).
		Where("host = ? AND (failures > 0 OR unreachable_since IS NOT NULL)", host).
		Updates(map[string]any{"failures": 0, "first_failure_at": nil, "unreachable_since": nil, "updated_at": now.UTC()})
	return res.RowsAffected == 1, translate(res.Error, "mark host "+host+" reachable")
}
