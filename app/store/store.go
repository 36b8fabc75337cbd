// Package store implements Plaudit's storage interfaces with gorm, on
// PostgreSQL (pgx) in production and on a pure-Go SQLite file by default.
package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/plaudit/plaudit/app"
)

// Dialect names the database engine behind a Store.
type Dialect string

// Supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// sqlitePragmas make the embedded database safe under concurrent writers.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)&_txlock=immediate"

// Store is the gorm implementation of the app storage interfaces.
type Store struct {
	db      *gorm.DB
	dialect Dialect
}

// Open connects to databaseURL: a postgres:// URL, or else the path of a
// SQLite file (created when missing).
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	if strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://") {
		dialector, dialect = postgres.Open(databaseURL), Postgres
	} else {
		path := strings.TrimPrefix(databaseURL, "sqlite://")
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		dialector, dialect = sqlite.Open(path+sep+sqlitePragmas), SQLite
	}
	db, err := gorm.Open(dialector, &gorm.Config{
		Logger:                 logger.Discard,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
		TranslateError:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	if dialect == Postgres {
		// Keep every connection open: opening one forks a PostgreSQL
		// backend, and churn under load costs more than the queries.
		sqlDB.SetMaxOpenConns(40)
		sqlDB.SetMaxIdleConns(40)
	} else {
		// WAL allows many readers and one writer; immediate transactions queue writers on busy_timeout.
		sqlDB.SetMaxOpenConns(8)
	}
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqlDB.PingContext(ctx); err != nil {
		_ = sqlDB.Close()
		return nil, fmt.Errorf("connect to %s database: %w", dialect, err)
	}
	return &Store{db: db, dialect: dialect}, nil
}

// DB exposes the gorm handle to other adapters in this module (tests, jobs
// that need raw queries). Use cases go through the store's methods.
func (s *Store) DB() *gorm.DB { return s.db }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close releases the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return sqlDB.Close()
}

// txKey carries a store's transaction in a context. It holds the root
// handle, so that the transaction of one database is never used by the
// store of another (tests run several instances in one process).
type txKey struct{ root *gorm.DB }

// WithTx implements app.Transactor: fn runs in one transaction, carried by
// the context it is given; store calls with that context join it. Hooks
// registered with app.AfterCommit run after the commit. A WithTx inside
// another joins the outer transaction.
func (s *Store) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{s.db}).(*gorm.DB); ok {
		return fn(ctx)
	}
	var run func(context.Context)
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		tctx := context.WithValue(ctx, txKey{s.db}, tx)
		tctx, run = app.WithCommitHooks(tctx)
		return fn(tctx)
	})
	if err != nil {
		return err
	}
	run(ctx)
	return nil
}

// conn is the handle for a call made with ctx: the transaction ctx
// carries, or the pool.
func (s *Store) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{s.db}).(*gorm.DB); ok {
		return tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// translate maps gorm errors to app errors with context.
func translate(err error, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, errNotFound):
		return &app.Error{Code: app.ENOTFOUND, Message: what + " not found", Err: err}
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return &app.Error{Code: app.ECONFLICT, Message: what + " already exists", Err: err}
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
