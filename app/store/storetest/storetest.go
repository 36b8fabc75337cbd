// Package storetest gives tests a fresh, migrated database: a SQLite file by
// default, or a new PostgreSQL schema when PLAUDIT_TEST_DATABASE_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
)

// EnvDatabaseURL names the PostgreSQL server tests must use when set.
const EnvDatabaseURL = "PLAUDIT_TEST_DATABASE_URL"

// URL returns a database URL for a fresh, empty database. With
// PLAUDIT_TEST_DATABASE_URL set it creates a PostgreSQL schema of its own
// (dropped when the test ends) and fails the test when the server cannot be
// reached; otherwise it names a SQLite file in a temporary folder.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		return filepath.Join(tb.TempDir(), "plaudit.db")
	}
	schema := "t_" + randomHex(tb, 8)
	admin, err := store.Open(context.Background(), base)
	if err != nil {
		tb.Fatalf("%s is set but PostgreSQL is not reachable: %v", EnvDatabaseURL, err)
	}
	if err := admin.DB().Exec("CREATE SCHEMA " + schema).Error; err != nil {
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	tb.Cleanup(func() {
		_ = admin.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvDatabaseURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated Store on a fresh database, closed when the test ends.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	s, err := store.Open(context.Background(), URL(tb))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	if _, err := s.Migrate(context.Background(), nil); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return s
}

func randomHex(tb testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatalf("random: %v", err)
	}
	return hex.EncodeToString(b)
}

// Describe names the database kind for test logs.
func Describe() string {
	if os.Getenv(EnvDatabaseURL) != "" {
		return fmt.Sprintf("postgres (%s)", EnvDatabaseURL)
	}
	return "sqlite"
}

// Publish stores a local activity and a pending delivery of it per
// distinct inbox, due at now, in one transaction, as the outbox does.
func Publish(ctx context.Context, s *store.Store, a *app.Activity, inboxes []string, now time.Time) ([]app.Delivery, error) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now.UTC()
	}
	var out []app.Delivery
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if _, err := s.InsertActivity(ctx, a); err != nil {
			return err
		}
		var err error
		out, err = s.InsertDeliveries(ctx, a, inboxes, now)
		return err
	})
	return out, err
}
