package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// cheap keeps argon2id fast in tests; production uses DefaultArgon2Params.
var cheap = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func newService(t *testing.T, mode string) (*accounts.Service, *store.Store) {
	t.Helper()
	s := storetest.Open(t)
	svc, err := accounts.New(s, accounts.Options{SignupMode: mode, Argon2: cheap})
	if err != nil {
		t.Fatal(err)
	}
	return svc, s
}

func TestPasswordsAreHashedNotStored(t *testing.T) {
	ctx := context.Background()
	svc, s := newService(t, accounts.SignupClosed)
	const pw = "correct horse battery"
	u, err := svc.CreateUser(ctx, "Alice", pw, true)
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || !u.Admin {
		t.Fatalf("user = %+v, want lower-cased admin alice", u)
	}
	var stored string
	if err := s.DB().Raw("SELECT password_hash FROM users WHERE id = ?", u.ID).Scan(&stored).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored, pw) || !strings.HasPrefix(stored, "$argon2id$") {
		t.Fatalf("stored password %q is not an argon2id hash", stored)
	}
	if _, err := svc.Authenticate(ctx, "ALICE", pw); err != nil {
		t.Fatalf("sign in with the right password: %v", err)
	}
	for name, tc := range map[string]struct{ user, pw string }{
		"wrong password": {"alice", "correct horse battery!"},
		"unknown user":   {"bob", pw},
		"invalid name":   {"no spaces allowed", pw},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.Authenticate(ctx, tc.user, tc.pw)
			if app.ErrorCode(err) != app.EUNAUTHORIZED || app.ErrorMessage(err) != "wrong username or password" {
				t.Fatalf("Authenticate = %v, want the one unauthorized answer", err)
			}
		})
	}
}

func TestUsernameRules(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, accounts.SignupClosed)
	for name, tc := range map[string]struct {
		username string
		wantCode string
	}{
		"plain":         {"bob", ""},
		"digits":        {"b0b_2", ""},
		"30 characters": {strings.Repeat("a", 30), ""},
		"31 characters": {strings.Repeat("a", 31), app.EINVALID},
		"dash":          {"bo-b", app.EINVALID},
		"empty":         {"", app.EINVALID},
		"unicode":       {"bøb", app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := svc.CreateUser(ctx, tc.username, "long enough password", false)
			if app.ErrorCode(err) != tc.wantCode {
				t.Fatalf("CreateUser(%q) = %v, want code %q", tc.username, err, tc.wantCode)
			}
		})
	}
	if _, err := svc.CreateUser(ctx, "BOB", "long enough password", false); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("BOB after bob = %v, want conflict (usernames are case-insensitive)", err)
	}
	if _, err := svc.CreateUser(ctx, "carol", "short", false); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("short password = %v, want invalid", err)
	}
}

func TestTokensAreHashed(t *testing.T) {
	ctx := context.Background()
	svc, s := newService(t, accounts.SignupClosed)
	u, err := svc.CreateUser(ctx, "dora", "long enough password", false)
	if err != nil {
		t.Fatal(err)
	}
	token, err := svc.CreateToken(ctx, "dora", "test")
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	if err := s.DB().Raw("SELECT token_hash FROM api_tokens").Scan(&hashes).Error; err != nil {
		t.Fatal(err)
	}
	if len(hashes) != 1 || hashes[0] == token || strings.Contains(token, hashes[0]) || hashes[0] != accounts.HashSecret(token) {
		t.Fatalf("stored %v for token %q, want only its SHA-256", hashes, token)
	}
	got, err := svc.TokenUser(ctx, token)
	if err != nil || got.ID != u.ID {
		t.Fatalf("TokenUser = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "plt_nope", token + "x", strings.TrimPrefix(token, "plt_")} {
		if _, err := svc.TokenUser(ctx, bad); app.ErrorCode(err) != app.EUNAUTHORIZED {
			t.Errorf("TokenUser(%q) = %v, want unauthorized", bad, err)
		}
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	svc, err := accounts.New(s, accounts.Options{Argon2: cheap, SessionTTL: time.Hour, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, "erin", "long enough password", false)
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := svc.StartSession(ctx, u, "test agent")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.SessionUser(ctx, cookie); err != nil || got.ID != u.ID {
		t.Fatalf("SessionUser = %+v, %v", got, err)
	}
	now = now.Add(2 * time.Hour)
	if _, err := svc.SessionUser(ctx, cookie); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("expired session = %v, want unauthorized", err)
	}
	now = now.Add(-2 * time.Hour)
	if err := svc.EndSession(ctx, cookie); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SessionUser(ctx, cookie); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("ended session = %v, want unauthorized", err)
	}
}

func TestSignupModes(t *testing.T) {
	ctx := context.Background()
	t.Run("closed", func(t *testing.T) {
		svc, _ := newService(t, accounts.SignupClosed)
		if _, err := svc.SignUp(ctx, "fay", "long enough password", ""); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Fatalf("SignUp = %v, want forbidden", err)
		}
	})
	t.Run("open", func(t *testing.T) {
		svc, _ := newService(t, accounts.SignupOpen)
		if _, err := svc.SignUp(ctx, "fay", "long enough password", ""); err != nil {
			t.Fatalf("SignUp = %v", err)
		}
	})
	t.Run("invite", func(t *testing.T) {
		svc, _ := newService(t, accounts.SignupInvite)
		if _, err := svc.SignUp(ctx, "fay", "long enough password", ""); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("SignUp without invite = %v, want invalid", err)
		}
		if _, err := svc.SignUp(ctx, "fay", "long enough password", "pli_made_up"); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("SignUp with unknown invite = %v, want invalid", err)
		}
		code, err := svc.CreateInvite(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SignUp(ctx, "fay", "long enough password", code); err != nil {
			t.Fatalf("SignUp with invite = %v", err)
		}
		if _, err := svc.SignUp(ctx, "gus", "long enough password", code); app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("second SignUp with the same invite = %v, want invalid", err)
		}
	})
}
