package app

import (
	"context"
	"sync"
)

// Transactor runs use cases' writes atomically. WithTx calls fn with a
// context that carries one database transaction: every store call made
// with that context joins it, so a use case writes several rows (a follow,
// its activity and its deliveries) all or nothing without a store method
// for each combination. The transaction commits when fn returns nil and
// rolls back otherwise. A WithTx inside another joins the outer one.
type Transactor interface {
	WithTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// commitHooks are the functions to run once a transaction commits.
type commitHooks struct {
	mu  sync.Mutex
	fns []func(context.Context)
}

type commitHooksKey struct{}

// WithCommitHooks returns ctx with an empty list of after-commit hooks and
// the function that runs them. Stores call it when they begin a
// transaction, and run the hooks after the commit (never after a
// rollback).
func WithCommitHooks(ctx context.Context) (context.Context, func(ctx context.Context)) {
	h := &commitHooks{}
	run := func(ctx context.Context) {
		h.mu.Lock()
		fns := h.fns
		h.fns = nil
		h.mu.Unlock()
		for _, fn := range fns {
			fn(ctx)
		}
	}
	return context.WithValue(ctx, commitHooksKey{}, h), run
}

// AfterCommit runs fn once the transaction that ctx carries has committed,
// or at once when ctx carries none. Work that must only see committed rows
// goes here: enqueueing a job that reads them, for instance. fn is dropped
// when the transaction rolls back.
func AfterCommit(ctx context.Context, fn func(ctx context.Context)) {
	h, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	if !ok {
		fn(ctx)
		return
	}
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
}

// InTx tells whether ctx carries a transaction begun by a Transactor.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	return ok
}
