package store

import (
	"context"

	"github.com/plaudit/plaudit/app"
)

// countedThingRow is a thing with its counts of one month, read in one
// query.
type countedThingRow struct {
	Thing        thingRow `gorm:"embedded"`
	MonthFlattrs *int64
	MonthCheers  *int64
}

func (r *countedThingRow) counted(month string) app.CountedThing {
	t := &r.Thing
	c := app.ThingCounts{Month: month, FlattrsAllTime: t.FlattrsAllTime, CheersAllTime: t.CheersAllTime, Funders: t.Funders}
	if r.MonthFlattrs != nil {
		c.FlattrsMonth = *r.MonthFlattrs
	}
	if r.MonthCheers != nil {
		c.CheersMonth = *r.MonthCheers
	}
	if t.CountsAt != nil {
		c.UpdatedAt = t.CountsAt.UTC()
	}
	return app.CountedThing{Thing: *t.thing(), Counts: c}
}

const countedThingSelect = `SELECT t.*, c.flattrs AS month_flattrs, c.cheers AS month_cheers
FROM things t LEFT JOIN thing_counts c ON c.thing_uri = t.uri AND c.month = ?
`

// CountedThingByURL reads, in one query, the thing whose canonical id or
// display link is url (the oldest when several share a link) with its
// counts of month; none is app.ENOTFOUND. The thing page calls it.
func (s *Things) CountedThingByURL(ctx context.Context, url, month string) (*app.CountedThing, error) {
	var rows []countedThingRow
	err := s.conn(ctx).Raw(countedThingSelect+`WHERE t.uri = ? OR t.url = ? ORDER BY t.id LIMIT 1`, month, url, url).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "thing "+url)
	}
	if len(rows) == 0 {
		return nil, translate(errNotFound, "thing "+url)
	}
	ct := rows[0].counted(month)
	return &ct, nil
}

// CountedThingsOwnedBy lists ownerURI's things that are not deleted,
// newest first, at most limit, each with its counts of month, in one
// query.
func (s *Things) CountedThingsOwnedBy(ctx context.Context, ownerURI, month string, limit int) ([]app.CountedThing, error) {
	var rows []countedThingRow
	err := s.conn(ctx).Raw(countedThingSelect+`WHERE t.owner_uri = ? AND t.deleted_at IS NULL ORDER BY t.id DESC LIMIT ?`, month, ownerURI, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "things of "+ownerURI)
	}
	return countedOf(rows, month), nil
}

// TopCountedThings lists the things most flattred in month, at most
// limit, with their counts, in one query.
func (s *Things) TopCountedThings(ctx context.Context, month string, limit int) ([]app.CountedThing, error) {
	var rows []countedThingRow
	err := s.conn(ctx).Raw(`SELECT t.*, c.flattrs AS month_flattrs, c.cheers AS month_cheers
FROM thing_counts c JOIN things t ON t.uri = c.thing_uri
WHERE c.month = ? AND c.flattrs > 0 AND t.deleted_at IS NULL ORDER BY c.flattrs DESC, t.id LIMIT ?`, month, limit).Scan(&rows).Error
	if err != nil {
		return nil, translate(err, "top things of "+month)
	}
	return countedOf(rows, month), nil
}

func countedOf(rows []countedThingRow, month string) []app.CountedThing {
	out := make([]app.CountedThing, len(rows))
	for i := range rows {
		out[i] = rows[i].counted(month)
	}
	return out
}
