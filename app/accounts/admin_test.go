package accounts_test

import (
	"context"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestSuspension(t *testing.T) {
	ctx := context.Background()
	svc, err := accounts.New(storetest.Open(t), accounts.Options{SignupMode: accounts.SignupClosed, Argon2: cheap, Protected: []string{"flattr"}})
	if err != nil {
		t.Fatal(err)
	}
	admin, err := svc.CreateUser(ctx, "root", "a long password", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bob", "flattr"} {
		if _, err := svc.CreateUser(ctx, name, "a long password", false); err != nil {
			t.Fatal(err)
		}
	}
	bob, err := svc.Profile(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	cookie, err := svc.StartSession(ctx, bob, "test")
	if err != nil {
		t.Fatal(err)
	}
	token, err := svc.CreateToken(ctx, "bob", "test")
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.Suspend(ctx, admin, "Bob")
	if err != nil || u.SuspendedAt == nil {
		t.Fatalf("suspend bob: %+v, %v", u, err)
	}
	if _, err := svc.Authenticate(ctx, "bob", "a long password"); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Errorf("suspended sign-in: %v, want forbidden", err)
	}
	if _, err := svc.Authenticate(ctx, "bob", "a wrong password"); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("suspended sign-in with a wrong password: %v, want the usual unauthorized", err)
	}
	if _, err := svc.SessionUser(ctx, cookie); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("suspended session: %v", err)
	}
	if _, err := svc.AuthenticateToken(ctx, token); app.ErrorCode(err) != app.EUNAUTHORIZED {
		t.Errorf("suspended token: %v", err)
	}
	for _, name := range []string{"flattr", "root"} {
		if _, err := svc.Suspend(ctx, admin, name); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Errorf("suspend %s: %v, want forbidden", name, err)
		}
	}
	if _, err := svc.Suspend(ctx, admin, "nobody"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("suspend nobody: %v", err)
	}
	users, err := svc.Users(ctx)
	if err != nil || len(users) != 3 || users[0].Username != "bob" || users[0].SuspendedAt == nil || users[2].SuspendedAt != nil {
		t.Fatalf("users = %+v, %v", users, err)
	}
	if _, err := svc.Unsuspend(ctx, "bob"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SessionUser(ctx, cookie); err != nil {
		t.Errorf("session after the suspension was lifted: %v", err)
	}
	if _, err := svc.AuthenticateToken(ctx, token); err != nil {
		t.Errorf("token after the suspension was lifted: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, accounts.SignupClosed)
	u, err := svc.CreateUser(ctx, "bob", "a long password", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, current, next, confirm, field string }{
		{"wrong current", "not it at all", "a new long password", "a new long password", "current"},
		{"too short", "a long password", "short", "short", "password"},
		{"confirm differs", "a long password", "a new long password", "a new long passwort", "confirm"},
	} {
		err := svc.ChangePassword(ctx, u, tc.current, tc.next, tc.confirm)
		if app.ErrorCode(err) != app.EINVALID || app.FieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q), want invalid %s", tc.name, err, app.FieldOf(err), tc.field)
		}
	}
	if _, err := svc.Authenticate(ctx, "bob", "a long password"); err != nil {
		t.Fatalf("a refused change changed the password: %v", err)
	}
	if err := svc.ChangePassword(ctx, u, "a long password", "a new long password", "a new long password"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, "bob", "a new long password"); err != nil {
		t.Errorf("new password: %v", err)
	}
	if _, err := svc.Authenticate(ctx, "bob", "a long password"); err == nil {
		t.Error("the old password still works")
	}
}

func TestSignUpErrorsNameTheirField(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t, accounts.SignupInvite)
	code, err := svc.CreateInvite(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignUp(ctx, "taken", "a long password", code); err != nil {
		t.Fatal(err)
	}
	code2, _ := svc.CreateInvite(ctx, nil)
	for _, tc := range []struct{ name, username, password, invite, field string }{
		{"bad username", "no way!", "a long password", code2, "username"},
		{"short password", "dave", "short", code2, "password"},
		{"no invite", "dave", "a long password", "", "invite"},
		{"used invite", "dave", "a long password", code, "invite"},
		{"taken username", "taken", "a long password", code2, "username"},
	} {
		_, err := svc.SignUp(ctx, tc.username, tc.password, tc.invite)
		if err == nil || app.FieldOf(err) != tc.field {
			t.Errorf("%s: %v (field %q), want field %s", tc.name, err, app.FieldOf(err), tc.field)
		}
	}
}
