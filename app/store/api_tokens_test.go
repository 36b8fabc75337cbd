package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestTokensMigration writes a token as schema 5 had it, migrates, and
// checks what migration 6 gave it: the scopes "read write follow" and an
// expiry 90 days away, readable through the model.
func TestTokensMigration(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.MigrateUpTo(ctx, 5); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := s.DB().Exec(`INSERT INTO users (username, password_hash, created_at, updated_at) VALUES ('old', 'x', ?, ?)`, now, now).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Exec(`INSERT INTO api_tokens (user_id, name, token_hash, created_at) SELECT id, 'legacy', 'hash-of-old-token', ? FROM users`, now).Error; err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatal(err)
	}
	tok, err := s.APITokenByHash(ctx, "hash-of-old-token")
	if err != nil {
		t.Fatal(err)
	}
	if tok.Scopes != "read write follow" || tok.RevokedAt != nil {
		t.Errorf("migrated token scopes %q, revoked %v; want read write follow, not revoked", tok.Scopes, tok.RevokedAt)
	}
	if tok.ExpiresAt == nil {
		t.Fatal("migrated token has no expiry")
	}
	if got := tok.ExpiresAt.Sub(now); got < 89*24*time.Hour || got > 91*24*time.Hour {
		t.Errorf("migrated token expires %v after the migration, want 90 days", got)
	}
}

// TestTokensMigrationRollsBack undoes migration 6 and applies it again.
func TestTokensMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	if err := s.MigrateDownTo(ctx, 5); err != nil {
		t.Fatalf("down to 5: %v", err)
	}
	if s.DB().Migrator().HasColumn(&app.APIToken{}, "scopes") {
		t.Fatal("api_tokens.scopes still there after rolling back")
	}
	if _, err := s.Migrate(ctx, nil); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRevokeAPITokenKeepsFirstTime(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	u := &app.User{Username: "rita", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUser(ctx, u, app.UserSecrets{PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}
	expires := now.Add(time.Hour)
	for _, name := range []string{"one", "two"} {
		if err := s.CreateAPIToken(ctx, &app.APIToken{UserID: u.ID, Name: name, TokenHash: "h-" + name, CreatedAt: now, Scopes: "read", ExpiresAt: &expires}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := s.APITokensByUser(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].Name != "one" || list[1].Name != "two" {
		t.Fatalf("APITokensByUser = %+v, %v; want one, two", list, err)
	}
	if err := s.RevokeAPIToken(ctx, list[0].ID, now); err != nil {
		t.Fatal(err)
	}
	if err := s.RevokeAPIToken(ctx, list[0].ID, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := s.APITokenByID(ctx, list[0].ID)
	if err != nil || got.RevokedAt == nil || !got.RevokedAt.Equal(now) {
		t.Fatalf("revoked token = %+v, %v; want revoked at %v", got, err, now)
	}
	if other, err := s.APITokenByID(ctx, list[1].ID); err != nil || other.RevokedAt != nil {
		t.Fatalf("the other token = %+v, %v; want it untouched", other, err)
	}
	if _, err := s.APITokenByID(ctx, 424242); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("APITokenByID of an unknown id = %v, want not found", err)
	}
}
