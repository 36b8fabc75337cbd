package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// RecountThings recomputes the counts of many things at once, as
// RecountThing does for one, in a few statements whatever their number:
// it locks the things' rows (in URI order, PostgreSQL), reads their
// flattrs and cheers grouped by thing, and writes the month rows and the
// all-time columns in one statement each. Call it in the transaction that
// changed them.
func (s *Things) RecountThings(ctx context.Context, keys []app.ThingMonth, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	now = now.UTC()
	uris := make([]string, 0, len(keys))
	seen := map[string]bool{}
	byMonth := map[string][]string{}
	for _, k := range keys {
		if !seen[k.URI] {
			seen[k.URI] = true
			uris = append(uris, k.URI)
		}
		byMonth[k.Month] = append(byMonth[k.Month], k.URI)
	}
	sort.Strings(uris)
	if s.dialect == Postgres {
		var ids []int64
		if err := s.conn(ctx).Raw("SELECT id FROM things WHERE uri IN ? ORDER BY uri FOR UPDATE", uris).Scan(&ids).Error; err != nil {
			return translate(err, "lock things")
		}
	}
	type allTime struct {
		URI                  string
		Flattrs, Funders     int64
		Cheers               int64
		FlattrsMonth, Weight int64
		CheersMonth, Touched int64
	}
	all := map[string]*allTime{}
	for _, u := range uris {
		all[u] = &allTime{URI: u}
	}
	var rows []thingCountRow
	months := make([]string, 0, len(byMonth))
	for m := range byMonth {
		months = append(months, m)
	}
	sort.Strings(months)
	for _, month := range months {
		start, end, err := app.MonthBounds(month)
		if err != nil {
			return err
		}
		var fs []struct {
			ThingURI                                    string
			FlattrsMonth, WeightMonth, Flattrs, Funders int64
		}
		err = s.conn(ctx).Raw(`SELECT thing_uri,
  count(*) FILTER (WHERE month = ?) AS flattrs_month,
  coalesce(sum(weight) FILTER (WHERE month = ?), 0) AS weight_month,
  count(*) AS flattrs,
  count(DISTINCT funder_key) AS funders
FROM flattrs WHERE thing_uri IN ? AND state = 'active' GROUP BY thing_uri`, month, month, byMonth[month]).Scan(&fs).Error
		if err != nil {
			return translate(err, "recount flattrs")
		}
		var ls []struct {
			ObjectURI           string
			CheersMonth, Cheers int64
		}
		err = s.conn(ctx).Raw(`SELECT object_uri,
  count(*) FILTER (WHERE created_at >= ? AND created_at < ?) AS cheers_month,
  count(*) AS cheers
FROM likes WHERE object_uri IN ? AND content = '' GROUP BY object_uri`, start, end, byMonth[month]).Scan(&ls).Error
		if err != nil {
			return translate(err, "recount cheers")
		}
		counts := map[string]*thingCountRow{}
		for _, u := range byMonth[month] {
			counts[u] = &thingCountRow{ThingURI: u, Month: month, UpdatedAt: now}
		}
		for _, f := range fs {
			a := all[f.ThingURI]
			a.Flattrs, a.Funders = f.Flattrs, f.Funders
			counts[f.ThingURI].Flattrs, counts[f.ThingURI].Weight = f.FlattrsMonth, f.WeightMonth
		}
		for _, l := range ls {
			all[l.ObjectURI].Cheers = l.Cheers
			counts[l.ObjectURI].Cheers = l.CheersMonth
		}
		for _, r := range counts {
			rows = append(rows, *r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].ThingURI != rows[j].ThingURI {
			return rows[i].ThingURI < rows[j].ThingURI
		}
		return rows[i].Month < rows[j].Month
	})
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "thing_uri"}, {Name: "month"}},
		DoUpdates: clause.AssignmentColumns([]string{"flattrs", "cheers", "weight", "updated_at"}),
	}).Create(&rows).Error
	if err != nil {
		return translate(err, "month counts")
	}
	// All-time columns, every thing in one UPDATE … FROM (VALUES …).
	var sb strings.Builder
	args := make([]any, 0, 4*len(uris)+1)
	args = append(args, now)
	for i, u := range uris {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		a := all[u]
		args = append(args, u, a.Flattrs, a.Cheers, a.Funders)
	}
	q := fmt.Sprintf(`UPDATE things SET flattrs_all_time = v.column2, cheers_all_time = v.column3, funders = v.column4, counts_at = ?
FROM (VALUES %s) AS v WHERE things.uri = v.column1`, sb.String())
	if err := s.conn(ctx).Exec(q, args...).Error; err != nil {
		return translate(err, "all-time counts")
	}
	return nil
}
