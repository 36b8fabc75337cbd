package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestMigrateTwiceIsNoOp(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, storetest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "plaudit migrate") {
		t.Fatalf("CheckSchema on an empty database = %v, want a hint to run plaudit migrate", err)
	}
	n, err := s.Migrate(ctx, nil)
	if err != nil || n == 0 {
		t.Fatalf("first Migrate = %d, %v; want some migrations applied", n, err)
	}
	n, err = s.Migrate(ctx, nil)
	if err != nil || n != 0 {
		t.Fatalf("second Migrate = %d, %v; want 0, nil", n, err)
	}
	if err := s.CheckSchema(ctx); err != nil {
		t.Fatalf("CheckSchema after migrate: %v", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	_, known, err := s.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, ?)", known+1, true).Error; err != nil {
		t.Fatal(err)
	}
	if err := s.CheckSchema(ctx); err == nil || !strings.Contains(err.Error(), "newer plaudit") {
		t.Fatalf("CheckSchema = %v, want refusal of a newer schema", err)
	}
	if _, err := s.Migrate(ctx, nil); err == nil {
		t.Fatal("Migrate on a newer schema succeeded, want refusal")
	}
}

// TestSchemaMatchesModels checks that every field of every stored type has a
// column, on whichever database the test runs against.
func TestSchemaMatchesModels(t *testing.T) {
	s := storetest.Open(t)
	for _, model := range store.Models() {
		stmt := s.DB().Model(model).Statement
		if err := stmt.Parse(model); err != nil {
			t.Fatal(err)
		}
		cols, err := s.DB().Migrator().ColumnTypes(model)
		if err != nil {
			t.Fatalf("columns of %s: %v", stmt.Schema.Table, err)
		}
		have := map[string]bool{}
		for _, c := range cols {
			have[c.Name()] = true
		}
		for _, f := range stmt.Schema.Fields {
			if f.DBName != "" && !have[f.DBName] {
				t.Errorf("table %s lacks column %s for field %s", stmt.Schema.Table, f.DBName, f.Name)
			}
		}
	}
}

func TestUserUniqueAndNotFound(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	u := &app.User{Username: "alice", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUser(ctx, u, app.UserSecrets{PasswordHash: "x", PrivateKeyPEM: "k"}); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 {
		t.Fatal("CreateUser set no id")
	}
	err := s.CreateUser(ctx, &app.User{Username: "alice", CreatedAt: now, UpdatedAt: now}, app.UserSecrets{PasswordHash: "y"})
	if app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("duplicate user: %v, want conflict", err)
	}
	_, err = s.UserByUsername(ctx, "bob")
	if !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("missing user: %v, want not found", err)
	}
	got, err := s.UserByID(ctx, u.ID)
	// PostgreSQL keeps microseconds, SQLite nanoseconds.
	if err != nil || got.Username != "alice" || got.CreatedAt.Sub(now).Abs() >= time.Microsecond {
		t.Fatalf("UserByID = %+v, %v", got, err)
	}
	if hash, err := s.PasswordHash(ctx, u.ID); err != nil || hash != "x" {
		t.Fatalf("PasswordHash = %q, %v", hash, err)
	}
	if key, err := s.PrivateKeyPEM(ctx, "alice"); err != nil || key != "k" {
		t.Fatalf("PrivateKeyPEM = %q, %v", key, err)
	}
	if _, err := s.PrivateKeyPEM(ctx, "bob"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("key of a missing user: %v, want not found", err)
	}
}

func TestInviteRedeemedOnce(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	if err := s.CreateInvite(ctx, &app.Invite{CodeHash: "h1", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	first := &app.User{Username: "first", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUserWithInvite(ctx, first, app.UserSecrets{PasswordHash: "x"}, "h1", now); err != nil {
		t.Fatalf("first redeem: %v", err)
	}
	second := &app.User{Username: "second", CreatedAt: now, UpdatedAt: now}
	if err := s.CreateUserWithInvite(ctx, second, app.UserSecrets{PasswordHash: "x"}, "h1", now); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("second redeem: %v, want invalid", err)
	}
	if _, err := s.UserByUsername(ctx, "second"); !errors.Is(err, app.ErrNotFound) {
		t.Fatalf("user of a refused invite was kept: %v", err)
	}
}

func TestInsertActivitiesOncePerURI(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	mk := func(uri string) *app.Activity {
		return &app.Activity{URI: uri, Type: "Like", ActorURI: "https://r.example/users/a", Document: "{}", State: app.ActivityPending, CreatedAt: now}
	}
	if ok, err := s.InsertActivity(ctx, mk("https://r.example/1")); err != nil || !ok {
		t.Fatalf("InsertActivity = %v, %v", ok, err)
	}
	rows := []*app.Activity{mk("https://r.example/1"), mk("https://r.example/2"), mk("https://r.example/3"), mk("https://r.example/2")}
	got, err := s.InsertActivities(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{false, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("inserted = %v, want %v", got, want)
		}
	}
	if rows[1].ID == 0 || rows[2].ID == 0 || rows[1].ID == rows[2].ID {
		t.Fatalf("ids %d, %d not set", rows[1].ID, rows[2].ID)
	}
	back, err := s.ActivityByID(ctx, rows[2].ID)
	if err != nil || back.URI != "https://r.example/3" {
		t.Fatalf("ActivityByID(%d) = %+v, %v", rows[2].ID, back, err)
	}
	var n int64
	s.DB().Model(&app.Activity{}).Count(&n)
	if n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
}

// TestSilencedFollowersAreNotShown: followers on a silenced server (or a
// subdomain of it, with a port) are left out of the public followers count
// and pages, but still get deliveries; other blocks and servers are
// unaffected.
func TestSilencedFollowersAreNotShown(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Now().UTC()
	followee := "https://p.example/users/alice"
	for _, host := range []string{"loud.example", "quiet.example", "a.quiet.example:8443", "notquiet.example"} {
		uri := "https://" + host + "/u/1"
		a := &app.RemoteActor{URI: uri, Type: "Person", Host: host, Inbox: uri + "/inbox", FetchedAt: now}
		if err := s.UpsertRemoteActor(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := s.UpsertFollow(ctx, &app.Follow{ActivityURI: uri + "#f", FollowerURI: uri, FolloweeURI: followee, State: app.FollowAccepted}); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int64 {
		n, err := s.CountFollowers(ctx, followee)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 4 {
		t.Fatalf("%d followers before any block, want 4", n)
	}
	if err := s.UpsertDomainBlock(ctx, &app.DomainBlock{Domain: "quiet.example", Severity: app.BlockSilence, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	page, err := s.FollowersPage(ctx, followee, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, f := range page {
		shown = append(shown, f.FollowerURI)
	}
	if n := count(); n != 2 || len(shown) != 2 || shown[0] != "https://notquiet.example/u/1" || shown[1] != "https://loud.example/u/1" {
		t.Fatalf("with quiet.example silenced: count %d, shown %v; want loud and notquiet only", n, shown)
	}
	inboxes, err := s.FollowerInboxes(ctx, followee)
	if err != nil || len(inboxes) != 4 {
		t.Fatalf("deliveries go to %v (%v), want all four followers", inboxes, err)
	}
}
