package accounts_test

import (
	"context"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
)

func TestHashSlots(t *testing.T) {
	h := accounts.NewHashSlots(2)
	if !h.TryAcquire() || !h.TryAcquire() {
		t.Fatal("two slots: could not take both")
	}
	if h.TryAcquire() {
		t.Fatal("took a third of two slots")
	}
	h.Release()
	if !h.TryAcquire() {
		t.Fatal("no slot after a release")
	}
	if z := accounts.NewHashSlots(0); !z.TryAcquire() || z.TryAcquire() {
		t.Fatal("NewHashSlots(0) should give exactly one slot")
	}
}

// TestBusyHashSlotsRefuseAtOnce fills the hashing slots and checks that
// every password check is refused with rate_limited instead of waiting,
// and that each call gives its slot back, whatever its outcome.
func TestBusyHashSlotsRefuseAtOnce(t *testing.T) {
	ctx := context.Background()
	slots := accounts.NewHashSlots(1)
	svc, err := accounts.New(storetest.Open(t), accounts.Options{Argon2: cheap, SignupMode: accounts.SignupOpen, HashSlots: slots})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateUser(ctx, "hal", "long enough password", false); err != nil {
		t.Fatal(err)
	}
	// With one slot, every call below must find it free again.
	for name, tc := range map[string]struct{ user, pw, wantCode string }{
		"right password": {"hal", "long enough password", ""},
		"wrong password": {"hal", "wrong password!!", app.EUNAUTHORIZED},
		"unknown user":   {"nobody", "long enough password", app.EUNAUTHORIZED},
		"invalid name":   {"no spaces", "long enough password", app.EUNAUTHORIZED},
	} {
		if _, err := svc.Authenticate(ctx, tc.user, tc.pw); app.ErrorCode(err) != tc.wantCode {
			t.Fatalf("%s with a free slot: %v, want code %q", name, err, tc.wantCode)
		}
	}

	if !slots.TryAcquire() {
		t.Fatal("the slot was not given back")
	}
	for name, call := range map[string]func() error{
		"sign-in, right password": func() error { _, err := svc.Authenticate(ctx, "hal", "long enough password"); return err },
		"sign-in, unknown user":   func() error { _, err := svc.Authenticate(ctx, "nobody", "long enough password"); return err },
		"sign-up":                 func() error { _, err := svc.SignUp(ctx, "ivy", "long enough password", ""); return err },
		"create user":             func() error { _, err := svc.CreateUser(ctx, "jo", "long enough password", false); return err },
	} {
		if err := call(); app.ErrorCode(err) != app.ERATELIMITED {
			t.Errorf("%s with every slot taken = %v, want %s", name, err, app.ERATELIMITED)
		}
	}
	if _, err := svc.Profile(ctx, "ivy"); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("the refused sign-up created a user: %v", err)
	}
	slots.Release()
	if _, err := svc.SignUp(ctx, "ivy", "long enough password", ""); err != nil {
		t.Fatalf("sign-up once the slot is free: %v", err)
	}
}
