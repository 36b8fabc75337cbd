package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// ThingCountsByURL reads, in one query, the cached counts for month of
// the thing whose canonical id or display link is url (the oldest such
// thing when several share a link). A thing never counted has zero
// counts; no such thing is app.ENOTFOUND. It never resolves or fetches
// anything: the flattr button calls it on every page view.
func (s *Things) ThingCountsByURL(ctx context.Context, url, month string) (app.ThingCounts, error) {
	var rows []countsRow
	err := s.conn(ctx).Raw(`SELECT t.flattrs_all_time, t.cheers_all_time, t.funders, t.counts_at,
  c.flattrs, c.cheers, c.updated_at AS month_at
FROM things t LEFT JOIN thing_counts c ON c.thing_uri = t.uri AND c.month = ?
WHERE t.uri = ? OR t.url = ?
ORDER BY t.id LIMIT 1`, month, url, url).Scan(&rows).Error
	if err != nil {
		return app.ThingCounts{}, translate(err, "counts of "+url)
	}
	if len(rows) == 0 {
		return app.ThingCounts{}, translate(errNotFound, "thing "+url)
	}
	return rows[0].counts(month), nil
}

// counts are the row's counts for month; a month never counted is zero.
func (r *countsRow) counts(month string) app.ThingCounts {
	c := app.ThingCounts{Month: month, FlattrsAllTime: r.FlattrsAllTime, CheersAllTime: r.CheersAllTime, Funders: r.Funders}
	if r.Flattrs != nil {
		c.FlattrsMonth, c.CheersMonth = *r.Flattrs, *r.Cheers
	}
	if r.CountsAt != nil {
		c.UpdatedAt = r.CountsAt.UTC()
	}
	return c
}
