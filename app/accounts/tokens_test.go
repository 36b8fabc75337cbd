package accounts_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// clock is a time that tests move by hand.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

// tokenFixture is an accounts service on a fresh database with a user
// "ann" and an admin "root".
type tokenFixture struct {
	svc   *accounts.Service
	clock *clock
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	c := &clock{now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, err := accounts.New(storetest.Open(t), accounts.Options{Argon2: cheap, Now: c.Now, TokenTTL: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for name, admin := range map[string]bool{"ann": false, "root": true} {
		if _, err := svc.CreateUser(ctx, name, "long enough password", admin); err != nil {
			t.Fatal(err)
		}
	}
	return &tokenFixture{svc: svc, clock: c}
}

func (f *tokenFixture) issue(t *testing.T, req accounts.TokenRequest) (string, *app.APIToken) {
	t.Helper()
	secret, tok, err := f.svc.IssueToken(context.Background(), req)
	if err != nil {
		t.Fatalf("IssueToken(%+v): %v", req, err)
	}
	return secret, tok
}

func TestIssueToken(t *testing.T) {
	f := newTokenFixture(t)
	start := f.clock.now
	for name, tc := range map[string]struct {
		req         accounts.TokenRequest
		wantScopes  string
		wantName    string
		wantExpires time.Time
		wantCode    string
	}{
		"defaults": {
			req:        accounts.TokenRequest{Username: "ann"},
			wantScopes: "read write follow", wantName: "cli", wantExpires: start.Add(48 * time.Hour),
		},
		"chosen scopes and lifetime": {
			req:        accounts.TokenRequest{Username: "ANN", Name: "feed reader", Scopes: accounts.Scopes{"read:statuses"}, TTL: 720 * time.Hour},
			wantScopes: "read:statuses", wantName: "feed reader", wantExpires: start.Add(720 * time.Hour),
		},
		"admin scopes for an admin": {
			req:        accounts.TokenRequest{Username: "root", Scopes: accounts.Scopes{"admin:read", "admin:write"}},
			wantScopes: "admin:read admin:write", wantName: "cli", wantExpires: start.Add(48 * time.Hour),
		},
		"admin scope for a user":  {req: accounts.TokenRequest{Username: "ann", Scopes: accounts.Scopes{"read", "admin:read:accounts"}}, wantCode: app.EFORBIDDEN},
		"negative lifetime":       {req: accounts.TokenRequest{Username: "ann", TTL: -time.Hour}, wantCode: app.EINVALID},
		"name too long":           {req: accounts.TokenRequest{Username: "ann", Name: strings.Repeat("n", 101)}, wantCode: app.EINVALID},
		"unknown user":            {req: accounts.TokenRequest{Username: "nobody"}, wantCode: app.ENOTFOUND},
		"name that is no account": {req: accounts.TokenRequest{Username: "no such user"}, wantCode: app.ENOTFOUND},
	} {
		t.Run(name, func(t *testing.T) {
			secret, tok, err := f.svc.IssueToken(context.Background(), tc.req)
			if app.ErrorCode(err) != tc.wantCode {
				t.Fatalf("IssueToken = %v, want code %q", err, tc.wantCode)
			}
			if err != nil {
				return
			}
			if tok.Scopes != tc.wantScopes || tok.Name != tc.wantName || tok.ExpiresAt == nil || !tok.ExpiresAt.Equal(tc.wantExpires) {
				t.Errorf("token = scopes %q, name %q, expires %v; want %q, %q, %v", tok.Scopes, tok.Name, tok.ExpiresAt, tc.wantScopes, tc.wantName, tc.wantExpires)
			}
			access, err := f.svc.AuthenticateToken(context.Background(), secret)
			if err != nil {
				t.Fatalf("AuthenticateToken of a new token: %v", err)
			}
			if access.Scopes.String() != tc.wantScopes || access.Token.ID != tok.ID {
				t.Errorf("AuthenticateToken = scopes %q, token %d; want %q, %d", access.Scopes, access.Token.ID, tc.wantScopes, tok.ID)
			}
		})
	}
}

func TestTokenExpires(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	secret, tok := f.issue(t, accounts.TokenRequest{Username: "ann", TTL: time.Hour})
	f.clock.now = tok.ExpiresAt.Add(-time.Second)
	if _, err := f.svc.AuthenticateToken(ctx, secret); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	f.clock.now = *tok.ExpiresAt
	_, err := f.svc.AuthenticateToken(ctx, secret)
	if app.ErrorCode(err) != app.EUNAUTHORIZED || !strings.Contains(app.ErrorMessage(err), "expired at 2026-12-01T10:00:00Z") {
		t.Fatalf("at expiry: %v, want unauthorized saying when it expired", err)
	}
	if _, err := f.svc.TokenUser(ctx, secret); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("TokenUser of an expired token = %v, want unauthorized", err)
	}
	if got := f.svc.TokenState(tok); got != accounts.TokenExpired {
		t.Errorf("TokenState = %q, want expired", got)
	}
}

func TestRevokeToken(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	secret, tok := f.issue(t, accounts.TokenRequest{Username: "ann", Name: "phone"})
	other, _ := f.issue(t, accounts.TokenRequest{Username: "ann", Name: "laptop"})
	rootSecret, rootTok := f.issue(t, accounts.TokenRequest{Username: "root"})

	if _, err := f.svc.RevokeOwnToken(ctx, "ann", rootTok.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("ann revoking root's token = %v, want not found", err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, rootSecret); err != nil {
		t.Fatalf("root's token after ann's attempt: %v", err)
	}
	revoked, err := f.svc.RevokeOwnToken(ctx, "ann", tok.ID)
	if err != nil || revoked.RevokedAt == nil || !revoked.RevokedAt.Equal(f.clock.now) {
		t.Fatalf("RevokeOwnToken = %+v, %v", revoked, err)
	}
	_, err = f.svc.AuthenticateToken(ctx, secret)
	if app.ErrorCode(err) != app.EUNAUTHORIZED || !strings.Contains(app.ErrorMessage(err), "revoked") {
		t.Fatalf("revoked token: %v, want unauthorized saying it was revoked", err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, other); err != nil {
		t.Fatalf("ann's other token stopped working: %v", err)
	}
	f.clock.now = f.clock.now.Add(time.Hour)
	again, err := f.svc.RevokeToken(ctx, tok.ID)
	if err != nil || !again.RevokedAt.Equal(*revoked.RevokedAt) {
		t.Fatalf("revoking again = %+v, %v; want the first revocation time kept", again, err)
	}
	if _, err := f.svc.RevokeToken(ctx, 999999); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("RevokeToken of an unknown id = %v, want not found", err)
	}
	if _, err := f.svc.RevokeToken(ctx, rootTok.ID); err != nil {
		t.Fatalf("RevokeToken (command line) of root's token: %v", err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, rootSecret); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("root's token after RevokeToken = %v, want unauthorized", err)
	}
}

func TestRevokeTokensNamed(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	a, _ := f.issue(t, accounts.TokenRequest{Username: "ann", Name: "ci"})
	b, _ := f.issue(t, accounts.TokenRequest{Username: "ann", Name: "ci"})
	keep, _ := f.issue(t, accounts.TokenRequest{Username: "ann", Name: "phone"})
	rootCI, _ := f.issue(t, accounts.TokenRequest{Username: "root", Name: "ci"})

	revoked, err := f.svc.RevokeTokensNamed(ctx, "ann", "ci")
	if err != nil || len(revoked) != 2 {
		t.Fatalf("RevokeTokensNamed = %d tokens, %v; want 2", len(revoked), err)
	}
	for name, tc := range map[string]struct {
		secret string
		live   bool
	}{"first ci": {a, false}, "second ci": {b, false}, "phone": {keep, true}, "root's ci": {rootCI, true}} {
		_, err := f.svc.AuthenticateToken(ctx, tc.secret)
		if (err == nil) != tc.live {
			t.Errorf("%s after revoking ann's ci tokens: %v, want live %v", name, err, tc.live)
		}
	}
	if _, err := f.svc.RevokeTokensNamed(ctx, "ann", "ci"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("second RevokeTokensNamed = %v, want not found (none left)", err)
	}
	list, err := f.svc.Tokens(ctx, "ann")
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for i := range list {
		states = append(states, list[i].Name+":"+f.svc.TokenState(&list[i]))
	}
	if got, want := strings.Join(states, " "), "ci:revoked ci:revoked phone:active"; got != want {
		t.Errorf("Tokens = %s, want %s", got, want)
	}
}

// TestTokenWithGivenSecret: an OAuth server makes the secret itself; the
// token it stores authenticates, a secret not from NewTokenSecret is
// refused, and revoking by secret works once it exists.
func TestTokenWithGivenSecret(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	secret, err := accounts.NewTokenSecret()
	if err != nil {
		t.Fatal(err)
	}
	got, tok, err := f.svc.IssueToken(ctx, accounts.TokenRequest{Username: "ann", Name: "Ivory", Scopes: accounts.Scopes{"read"}, Secret: secret})
	if err != nil || got != secret || tok.TokenHash == secret {
		t.Fatalf("issue = %q, %+v, %v", got, tok, err)
	}
	if a, err := f.svc.AuthenticateToken(ctx, secret); err != nil || a.User.Username != "ann" || a.Scopes.String() != "read" {
		t.Fatalf("authenticate = %+v, %v", a, err)
	}
	if _, _, err := f.svc.IssueToken(ctx, accounts.TokenRequest{Username: "ann", Secret: "chosen-by-hand"}); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a secret of one's own: %v", err)
	}
	if ok, err := f.svc.RevokeTokenSecret(ctx, "plt_unknown"); ok || err != nil {
		t.Fatalf("revoke unknown = %v, %v", ok, err)
	}
	if ok, err := f.svc.RevokeTokenSecret(ctx, secret); !ok || err != nil {
		t.Fatalf("revoke = %v, %v", ok, err)
	}
	if _, err := f.svc.AuthenticateToken(ctx, secret); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Fatalf("revoked token: %v", err)
	}
}
