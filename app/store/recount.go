package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/plaudit/plaudit/app"
)

// RecountThings recomputes the counts of many things at once, as
// RecountThing does for one (CountThings with no changes).
func (s *Things) RecountThings(ctx context.Context, keys []app.ThingMonth, now time.Time) error {
	return s.CountThings(ctx, keys, nil, now)
}

// CountThings brings the counts of the things a transaction changed up to
// date, in a few statements whatever their number: it locks the things'
// rows (in URI order, PostgreSQL), recounts the (thing, month) pairs of
// recount from their flattrs and cheers, and moves the counts of the
// others by changes, which the transaction knows exactly from the rows it
// wrote. A thing recounted is recounted in the months of its changes too,
// rather than moved. Call it in the transaction that made the changes,
// just before it commits.
func (s *Things) CountThings(ctx context.Context, recount []app.ThingMonth, changes []app.CountChange, now time.Time) error {
	if len(recount) == 0 && len(changes) == 0 {
		return nil
	}
	now = now.UTC()
	full := map[string]bool{}
	for _, k := range recount {
		full[k.URI] = true
	}
	var moved []app.CountChange
	for _, c := range changes {
		if full[c.URI] {
			recount = append(recount, app.ThingMonth{URI: c.URI, Month: c.Month})
		} else {
			moved = append(moved, c)
		}
	}
	locked := map[string]bool{}
	for _, k := range recount {
		locked[k.URI] = true
	}
	for _, c := range moved {
		locked[c.URI] = true
	}
	uris := slices.Sorted(maps.Keys(locked))
	if s.dialect == Postgres {
		var ids []int64
		if err := s.conn(ctx).Raw("SELECT id FROM things WHERE uri IN ? ORDER BY uri FOR UPDATE", uris).Scan(&ids).Error; err != nil {
			return translate(err, "lock things")
		}
	}
	if err := s.recount(ctx, recount, now); err != nil {
		return err
	}
	return s.move(ctx, moved, now)
}

// recount recomputes the counts of keys from the flattrs and cheers
// stored, their things' rows locked already.
func (s *Things) recount(ctx context.Context, keys []app.ThingMonth, now time.Time) error {
	if len(keys) == 0 {
		return nil
	}
	all := map[string]*allTimeCounts{}
	seen := map[app.ThingMonth]bool{}
	byMonth := map[string][]string{}
	for _, k := range keys {
		if seen[k] {
			continue
		}
		seen[k] = true
		if all[k.URI] == nil {
			all[k.URI] = &allTimeCounts{}
		}
		byMonth[k.Month] = append(byMonth[k.Month], k.URI)
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
			a.flattrs, a.funders = f.Flattrs, f.Funders
			counts[f.ThingURI].Flattrs, counts[f.ThingURI].Weight = f.FlattrsMonth, f.WeightMonth
		}
		for _, l := range ls {
			all[l.ObjectURI].cheers = l.Cheers
			counts[l.ObjectURI].Cheers = l.CheersMonth
		}
		for _, r := range counts {
			rows = append(rows, *r)
		}
	}
	sortCountRows(rows)
	err := s.conn(ctx).Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "thing_uri"}, {Name: "month"}},
		DoUpdates: clause.AssignmentColumns([]string{"flattrs", "cheers", "weight", "updated_at"}),
	}).Create(&rows).Error
	if err != nil {
		return translate(err, "month counts")
	}
	return s.writeAllTime(ctx, all, false, now)
}

// move adds changes to the counts of their things, whose rows are locked
// already. The distinct funders of a thing change where a funder's number
// of active flattrs of it goes from none to some or back: that number is
// read now, the rows of earlier transactions committed under the lock,
// and the change's net count taken off gives what it was before.
func (s *Things) move(ctx context.Context, changes []app.CountChange, now time.Time) error {
	if len(changes) == 0 {
		return nil
	}
	type pair struct{ key, uri string }
	months := map[app.ThingMonth]*thingCountRow{}
	all := map[string]*allTimeCounts{}
	net := map[pair]int64{}
	for _, c := range changes {
		k := app.ThingMonth{URI: c.URI, Month: c.Month}
		m := months[k]
		if m == nil {
			m = &thingCountRow{ThingURI: c.URI, Month: c.Month, UpdatedAt: now}
			months[k] = m
		}
		m.Flattrs += c.Flattrs
		m.Weight += c.Weight
		m.Cheers += c.Cheers
		a := all[c.URI]
		if a == nil {
			a = &allTimeCounts{}
			all[c.URI] = a
		}
		a.flattrs += c.Flattrs
		a.cheers += c.Cheers
		if c.Flattrs != 0 && c.FunderKey != "" {
			net[pair{c.FunderKey, c.URI}] += c.Flattrs
		}
	}
	var pairs []pair
	for p, n := range net {
		if n != 0 {
			pairs = append(pairs, p)
		}
	}
	if len(pairs) > 0 {
		sort.Slice(pairs, func(i, j int) bool {
			if pairs[i].uri != pairs[j].uri {
				return pairs[i].uri < pairs[j].uri
			}
			return pairs[i].key < pairs[j].key
		})
		var sb strings.Builder
		args := make([]any, 0, 2*len(pairs))
		for i, p := range pairs {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(?, ?)")
			args = append(args, p.key, p.uri)
		}
		var standing []struct {
			FunderKey, ThingURI string
			N                   int64
		}
		q := fmt.Sprintf(`SELECT funder_key, thing_uri, count(*) AS n FROM flattrs
WHERE state = 'active' AND (funder_key, thing_uri) IN (VALUES %s) GROUP BY funder_key, thing_uri`, sb.String())
		if err := s.conn(ctx).Raw(q, args...).Scan(&standing).Error; err != nil {
			return translate(err, "funders of things")
		}
		after := make(map[pair]int64, len(standing))
		for _, r := range standing {
			after[pair{r.FunderKey, r.ThingURI}] = r.N
		}
		for _, p := range pairs {
			all[p.uri].funders += b2i(after[p] > 0) - b2i(after[p]-net[p] > 0)
		}
	}
	rows := make([]thingCountRow, 0, len(months))
	for _, m := range months {
		if m.Flattrs != 0 || m.Weight != 0 || m.Cheers != 0 {
			rows = append(rows, *m)
		}
	}
	if len(rows) > 0 {
		sortCountRows(rows)
		err := s.conn(ctx).Clauses(clause.OnConflict{
			Columns: []clause.Column{{Name: "thing_uri"}, {Name: "month"}},
			DoUpdates: clause.Set{
				{Column: clause.Column{Name: "flattrs"}, Value: gorm.Expr("thing_counts.flattrs + excluded.flattrs")},
				{Column: clause.Column{Name: "cheers"}, Value: gorm.Expr("thing_counts.cheers + excluded.cheers")},
				{Column: clause.Column{Name: "weight"}, Value: gorm.Expr("thing_counts.weight + excluded.weight")},
				{Column: clause.Column{Name: "updated_at"}, Value: gorm.Expr("excluded.updated_at")},
			},
		}).Create(&rows).Error
		if err != nil {
			return translate(err, "move month counts")
		}
	}
	return s.writeAllTime(ctx, all, true, now)
}

// allTimeCounts are a thing's all-time columns, or a change to them.
type allTimeCounts struct{ flattrs, cheers, funders int64 }

// writeAllTime sets the all-time columns of the things in counts or, with
// add, adds to them, every thing in one UPDATE … FROM (VALUES …), in URI
// order; a change of nothing is left out.
func (s *Things) writeAllTime(ctx context.Context, counts map[string]*allTimeCounts, add bool, now time.Time) error {
	uris := make([]string, 0, len(counts))
	for u, a := range counts {
		if !add || *a != (allTimeCounts{}) {
			uris = append(uris, u)
		}
	}
	if len(uris) == 0 {
		return nil
	}
	sort.Strings(uris)
	var sb strings.Builder
	args := make([]any, 0, 4*len(uris)+1)
	args = append(args, now)
	for i, u := range uris {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString("(?, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))")
		a := counts[u]
		args = append(args, u, a.flattrs, a.cheers, a.funders)
	}
	set := "flattrs_all_time = v.column2, cheers_all_time = v.column3, funders = v.column4"
	if add {
		set = "flattrs_all_time = flattrs_all_time + v.column2, cheers_all_time = cheers_all_time + v.column3, funders = funders + v.column4"
	}
	q := fmt.Sprintf("UPDATE things SET %s, counts_at = ? FROM (VALUES %s) AS v WHERE things.uri = v.column1", set, sb.String())
	if err := s.conn(ctx).Exec(q, args...).Error; err != nil {
		return translate(err, "all-time counts")
	}
	return nil
}

// sortCountRows puts month rows in (thing, month) order, the order they
// are written in so that concurrent writers lock them alike.
func sortCountRows(rows []thingCountRow) {
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].ThingURI != rows[j].ThingURI {
			return rows[i].ThingURI < rows[j].ThingURI
		}
		return rows[i].Month < rows[j].Month
	})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
