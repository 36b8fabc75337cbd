package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/postgres/*.sql migrations/sqlite/*.sql
var migrationFiles embed.FS

// migrationLockID is the PostgreSQL advisory lock that serialises migrations
// run by several processes at once.
const migrationLockID = 0x706c6175646974 // "plaudit"

func (s *Database) migrator(logger *slog.Logger) (*goose.Provider, error) {
	sub, err := fs.Sub(migrationFiles, "migrations/"+string(s.dialect))
	if err != nil {
		return nil, fmt.Errorf("migrations for %s: %w", s.dialect, err)
	}
	sqlDB, err := s.db.DB()
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	dialect := goose.DialectSQLite3
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if logger != nil {
		opts = append(opts, goose.WithSlog(logger))
	}
	if s.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(migrationLockID))
		if err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, sqlDB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("load migrations: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration and returns how many it applied.
// Running it again is a no-op.
func (s *Database) Migrate(ctx context.Context, logger *slog.Logger) (int, error) {
	p, err := s.migrator(logger)
	if err != nil {
		return 0, err
	}
	if err := s.refuseNewer(ctx, p); err != nil {
		return 0, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return len(results), fmt.Errorf("apply migrations: %w", err)
	}
	return len(results), nil
}

// SchemaVersion returns the version the database is at and the newest this
// binary knows.
func (s *Database) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	p, err := s.migrator(nil)
	if err != nil {
		return 0, 0, err
	}
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("read schema version: %w", err)
	}
	sources := p.ListSources()
	if len(sources) > 0 {
		known = sources[len(sources)-1].Version
	}
	return current, known, nil
}

// CheckSchema fails unless the database is at exactly the schema this binary
// was built for: a newer schema belongs to a newer binary, an older one needs
// `plaudit migrate`.
func (s *Database) CheckSchema(ctx context.Context) error {
	current, known, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current > known:
		return fmt.Errorf("database schema is at version %d but this plaudit knows only up to %d: run a newer plaudit", current, known)
	case current < known:
		return fmt.Errorf("database schema is at version %d, this plaudit needs %d: run `plaudit migrate`", current, known)
	}
	return nil
}

func (s *Database) refuseNewer(ctx context.Context, p *goose.Provider) error {
	current, err := p.GetDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	sources := p.ListSources()
	if len(sources) > 0 && current > sources[len(sources)-1].Version {
		return fmt.Errorf("database schema is at version %d but this plaudit knows only up to %d: run a newer plaudit", current, sources[len(sources)-1].Version)
	}
	return nil
}
