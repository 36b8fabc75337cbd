package app_test

import (
	"context"
	"testing"

	"github.com/plaudit/plaudit/app"
)

func TestAfterCommitRunsAtOnceWithoutTransaction(t *testing.T) {
	ran := 0
	app.AfterCommit(context.Background(), func(context.Context) { ran++ })
	if ran != 1 {
		t.Fatalf("hook ran %d times outside a transaction, want 1", ran)
	}
}

func TestAfterCommitWaitsForRun(t *testing.T) {
	ctx, run := app.WithCommitHooks(context.Background())
	var order []string
	app.AfterCommit(ctx, func(context.Context) { order = append(order, "first") })
	app.AfterCommit(ctx, func(context.Context) { order = append(order, "second") })
	if len(order) != 0 {
		t.Fatalf("hooks ran before the commit: %v", order)
	}
	run(context.Background())
	if len(order) != 2 || order[0] != "first" || order[1] != "second" {
		t.Fatalf("hooks ran as %v, want first then second", order)
	}
	run(context.Background())
	if len(order) != 2 {
		t.Fatalf("a second run ran the hooks again: %v", order)
	}
}
