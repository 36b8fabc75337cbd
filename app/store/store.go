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

// Database is one database: its connection pool, transactions and
// migrations. The entity stores share it.
type Database struct {
	db      *gorm.DB
	dialect Dialect
}

// The stores of single entities. Each holds the queries of one table (or
// two closely bound ones) and is what use cases are wired with; their
// consumer-side interfaces are declared where they are used.
type (
	// Users stores local accounts and their profiles.
	Users struct{ *Database }
	// Sessions stores signed-in browsers.
	Sessions struct{ *Database }
	// Tokens stores API tokens.
	Tokens struct{ *Database }
	// Invites stores sign-up invites.
	Invites struct{ *Database }
	// Activities stores published and received activities.
	Activities struct{ *Database }
	// Deliveries stores what is left to POST to remote inboxes.
	Deliveries struct{ *Database }
	// Hosts stores whether remote servers answer.
	Hosts struct{ *Database }
	// RemoteActors caches actors of other servers.
	RemoteActors struct{ *Database }
	// RemoteObjects caches posts of other servers.
	RemoteObjects struct{ *Database }
	// InstanceKeys stores the instance actor's key pair.
	InstanceKeys struct{ *Database }
	// Follows stores follow relations with a local side.
	Follows struct{ *Database }
	// Likes stores likes of and by local actors.
	Likes struct{ *Database }
	// Posts stores what local users published.
	Posts struct{ *Database }
	// Blocks stores domain and actor blocks.
	Blocks struct{ *Database }
	// Probes stores job probes.
	Probes struct{ *Database }
	// Things stores what can be flattred, its counts and co-creators.
	Things struct{ *Database }
	// Flattrs stores flattrs and the activities undone.
	Flattrs struct{ *Database }
	// Claims stores creators' ownership claims.
	Claims struct{ *Database }
	// Blogs stores connected blogs and the feed items published.
	Blogs struct{ *Database }
	// Ledger stores the double-entry ledger.
	Ledger struct{ *Database }
	// Months stores budgets and month closes.
	Months struct{ *Database }
	// Payouts stores creators' payout details, payout batches and payouts.
	Payouts struct{ *Database }
	// Statements reads what funders spent and creators earned.
	Statements struct{ *Database }
	// OAuth stores the apps of the Mastodon client API, their codes and
	// app tokens.
	OAuth struct{ *Database }
)

// Store bundles the entity stores of one database, for wiring (cmd) and
// tests. Use cases never take a Store: each declares the few methods it
// needs and is given the entity store that has them.
type Store struct {
	*Database
	*Users
	*Sessions
	*Tokens
	*Invites
	*Activities
	*Deliveries
	*Hosts
	*RemoteActors
	*RemoteObjects
	*InstanceKeys
	*Follows
	*Likes
	*Posts
	*Blocks
	*Probes
	*Things
	*Flattrs
	*Claims
	*Blogs
	*Ledger
	*Months
	*Settlements
	*Mentions
	*AutoFlattr
	*Payouts
	*Statements
	*OAuth
}

// Dialect tells which database d is.
func (d *Database) Dialect() Dialect { return d.dialect }

// newStore makes the entity stores on d.
func newStore(d *Database) *Store {
	return &Store{
		Database: d, Users: &Users{d}, Sessions: &Sessions{d}, Tokens: &Tokens{d}, Invites: &Invites{d},
		Activities: &Activities{d}, Deliveries: &Deliveries{d}, Hosts: &Hosts{d}, RemoteActors: &RemoteActors{d},
		RemoteObjects: &RemoteObjects{d}, InstanceKeys: &InstanceKeys{d}, Follows: &Follows{d}, Likes: &Likes{d},
		Posts: &Posts{d}, Blocks: &Blocks{d}, Probes: &Probes{d}, Things: &Things{d}, Flattrs: &Flattrs{d}, Ledger: &Ledger{d}, Months: &Months{d},
		Settlements: &Settlements{d}, Mentions: &Mentions{d}, AutoFlattr: &AutoFlattr{d}, Payouts: &Payouts{d}, Statements: &Statements{d}, OAuth: &OAuth{d},
		Claims: &Claims{d}, Blogs: &Blogs{d},
	}
}

var errNotFound = errors.New("record not found")

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
	return newStore(&Database{db: db, dialect: dialect}), nil
}

// DB exposes the gorm handle to other adapters in this module (tests, jobs
// that need raw queries). Use cases go through the store's methods.
func (s *Database) DB() *gorm.DB { return s.db }

// Ping checks that the database answers.
func (s *Database) Ping(ctx context.Context) error {
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
func (s *Database) Close() error {
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
func (s *Database) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{s.db}).(*gorm.DB); ok {
		return fn(ctx)
	}
	var run func(context.Context)
	err := s.conn(ctx).Transaction(func(tx *gorm.DB) error {
		tctx := context.WithValue(ctx, txKey{s.db}, tx)
		tctx, run = app.WithCommitHooks(tctx)
		if err := fn(tctx); err != nil {
			return err
		}
		return app.RunBeforeCommit(tctx)
	})
	if err != nil {
		return err
	}
	run(ctx)
	return nil
}

// conn is the handle for a call made with ctx: the transaction ctx
// carries, or the pool.
func (s *Database) conn(ctx context.Context) *gorm.DB {
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
