package accounts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

func ptr[T any](v T) *T { return &v }

func TestUpdateProfile(t *testing.T) {
	type profile struct {
		name, summary string
		manual        bool
	}
	start := profile{"Alice", "hello", false}
	for name, tc := range map[string]struct {
		update   accounts.ProfileUpdate
		want     profile
		wantCode string
	}{
		"nothing given: unchanged":  {accounts.ProfileUpdate{}, start, ""},
		"display name only":         {accounts.ProfileUpdate{DisplayName: ptr("Alice L.")}, profile{"Alice L.", "hello", false}, ""},
		"summary only":              {accounts.ProfileUpdate{Summary: ptr("new\nbio")}, profile{"Alice", "new\nbio", false}, ""},
		"approval only":             {accounts.ProfileUpdate{ManuallyApprovesFollowers: ptr(true)}, profile{"Alice", "hello", true}, ""},
		"cleared to empty":          {accounts.ProfileUpdate{DisplayName: ptr(""), Summary: ptr("")}, profile{"", "", false}, ""},
		"spaces trimmed":            {accounts.ProfileUpdate{DisplayName: ptr("  Al  ")}, profile{"Al", "hello", false}, ""},
		"100 characters":            {accounts.ProfileUpdate{DisplayName: ptr(strings.Repeat("é", 100))}, profile{strings.Repeat("é", 100), "hello", false}, ""},
		"101 characters":            {accounts.ProfileUpdate{DisplayName: ptr(strings.Repeat("é", 101))}, start, app.EINVALID},
		"2000 character summary":    {accounts.ProfileUpdate{Summary: ptr(strings.Repeat("ß", 2000))}, profile{"Alice", strings.Repeat("ß", 2000), false}, ""},
		"2001 character summary":    {accounts.ProfileUpdate{Summary: ptr(strings.Repeat("a", 2001))}, start, app.EINVALID},
		"one bad field, no changes": {accounts.ProfileUpdate{DisplayName: ptr("ok"), Summary: ptr(strings.Repeat("a", 2001)), ManuallyApprovesFollowers: ptr(true)}, start, app.EINVALID},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t, accounts.SignupClosed)
			if _, err := svc.CreateUser(ctx, "alice", "a long password", false); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.UpdateProfile(ctx, "alice", accounts.ProfileUpdate{DisplayName: ptr(start.name), Summary: ptr(start.summary)}); err != nil {
				t.Fatal(err)
			}
			u, err := svc.UpdateProfile(ctx, "Alice", tc.update)
			if app.ErrorCode(err) != tc.wantCode {
				t.Fatalf("UpdateProfile = %v, want code %q", err, tc.wantCode)
			}
			if err == nil {
				if got := (profile{u.DisplayName, u.Summary, u.ManuallyApprovesFollowers}); got != tc.want {
					t.Errorf("returned profile = %+v, want %+v", got, tc.want)
				}
			}
			stored, err := svc.Profile(ctx, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if got := (profile{stored.DisplayName, stored.Summary, stored.ManuallyApprovesFollowers}); got != tc.want {
				t.Errorf("stored profile = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestUpdateProfileUnknownUser(t *testing.T) {
	svc, _ := newService(t, accounts.SignupClosed)
	if _, err := svc.UpdateProfile(context.Background(), "nobody", accounts.ProfileUpdate{DisplayName: ptr("x")}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("UpdateProfile of an unknown user = %v, want %s", err, app.ENOTFOUND)
	}
}
