package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// bulkCol is one column of a bulk insert: its name, its PostgreSQL type
// and its values, one per row (a []string, []int64, []bool or
// []time.Time).
type bulkCol struct {
	name, pgType string
	vals         any
}

// sqliteBulkRows is how many rows one SQLite statement inserts (its
// variable limit is 32766).
const sqliteBulkRows = 500

// bulkInsert inserts the rows given column by column into table, with
// suffix (ON CONFLICT…, RETURNING…) after the values; scan, when not nil,
// reads the rows a RETURNING suffix returns. On PostgreSQL it is one
// statement whatever the count (each column one array parameter to
// unnest), on SQLite one per sqliteBulkRows rows. It runs in the
// transaction ctx carries, past gorm, which would expand the arrays into
// lists.
func (s *Database) bulkInsert(ctx context.Context, table string, cols []bulkCol, suffix string, scan func(*sql.Rows) error) error {
	n := bulkLen(cols[0].vals)
	if n == 0 {
		return nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	head := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") "
	if s.dialect == Postgres {
		params := make([]string, len(cols))
		args := make([]any, len(cols))
		for i, c := range cols {
			params[i] = fmt.Sprintf("$%d::%s[]", i+1, c.pgType)
			args[i] = c.vals
		}
		q := head + "SELECT * FROM unnest(" + strings.Join(params, ", ") + ") " + suffix
		return s.bulkRun(ctx, table, q, args, scan)
	}
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for from := 0; from < n; from += sqliteBulkRows {
		to := min(from+sqliteBulkRows, n)
		args := make([]any, 0, (to-from)*len(cols))
		for r := from; r < to; r++ {
			for _, c := range cols {
				args = append(args, bulkAt(c.vals, r))
			}
		}
		q := head + "VALUES " + strings.TrimSuffix(strings.Repeat(row+", ", to-from), ", ") + " " + suffix
		if err := s.bulkRun(ctx, table, q, args, scan); err != nil {
			return err
		}
	}
	return nil
}

// bulkRun runs one statement of a bulk insert.
func (s *Database) bulkRun(ctx context.Context, table, q string, args []any, scan func(*sql.Rows) error) error {
	pool := s.conn(ctx).Statement.ConnPool
	if scan == nil {
		if _, err := pool.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
		return nil
	}
	rows, err := pool.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return fmt.Errorf("insert into %s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("insert into %s: %w", table, err)
	}
	return nil
}

func bulkLen(vals any) int {
	switch v := vals.(type) {
	case []string:
		return len(v)
	case []int64:
		return len(v)
	case []bool:
		return len(v)
	case []time.Time:
		return len(v)
	}
	panic(fmt.Sprintf("bulk column of %T", vals))
}

func bulkAt(vals any, i int) any {
	switch v := vals.(type) {
	case []string:
		return v[i]
	case []int64:
		return v[i]
	case []bool:
		return v[i]
	case []time.Time:
		return v[i]
	}
	panic(fmt.Sprintf("bulk column of %T", vals))
}
