package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// TestWithTx: writes made with the transaction's context commit together
// or not at all, a nested WithTx joins the outer one, and after-commit
// hooks run only after a commit.
func TestWithTx(t *testing.T) {
	ctx := context.Background()
	s := storetest.Open(t)
	follow := func(n string) *app.Follow {
		return &app.Follow{ActivityURI: "https://r.example/f/" + n, FollowerURI: "https://r.example/u/" + n, FolloweeURI: "https://p.example/users/a", State: app.FollowAccepted}
	}
	count := func() int64 {
		n, err := s.CountFollowers(ctx, "https://p.example/users/a")
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	boom := errors.New("boom")
	hooks := 0
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.UpsertFollow(ctx, follow("1")); err != nil {
			return err
		}
		app.AfterCommit(ctx, func(context.Context) { hooks++ })
		return s.WithTx(ctx, func(ctx context.Context) error {
			if err := s.UpsertFollow(ctx, follow("2")); err != nil {
				return err
			}
			return boom
		})
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx = %v, want boom", err)
	}
	if n := count(); n != 0 || hooks != 0 {
		t.Fatalf("after rollback: %d follows stored, %d hooks run; want 0 and 0", n, hooks)
	}
	err = s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.UpsertFollow(ctx, follow("1")); err != nil {
			return err
		}
		app.AfterCommit(ctx, func(context.Context) { hooks++ })
		if hooks != 0 {
			t.Error("hook ran before the commit")
		}
		return s.WithTx(ctx, func(ctx context.Context) error { return s.UpsertFollow(ctx, follow("2")) })
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 || hooks != 1 {
		t.Fatalf("after commit: %d follows stored, %d hooks run; want 2 and 1", n, hooks)
	}
}
