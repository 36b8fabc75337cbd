package app

import (
	"context"
	"fmt"
	"sort"
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

// commitHooks are the functions to run once a transaction commits, and
// those to run in it just before.
type commitHooks struct {
	mu     sync.Mutex
	fns    []func(context.Context)
	before map[string]func(context.Context) error
	values map[string]any
}

// TxValue returns the value kept under key for the transaction ctx
// carries, made by make the first time; without a transaction, a fresh
// one each call. Use cases gather what their BeforeCommit hook will do
// here (the things to recount, for one).
func TxValue(ctx context.Context, key string, make func() any) any {
	h, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	if !ok {
		return make()
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.values == nil {
		h.values = map[string]any{}
	}
	v, ok := h.values[key]
	if !ok {
		v = make()
		h.values[key] = v
	}
	return v
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

// BeforeCommit runs fn in the transaction that ctx carries, once its
// work is done and just before it commits; an error rolls it back. Hooks
// are keyed: registering a key twice runs fn once (the first one), and
// hooks run in the order of their keys, so that transactions that touch
// the same rows lock them in the same order. Without a transaction fn
// runs at once.
func BeforeCommit(ctx context.Context, key string, fn func(ctx context.Context) error) error {
	h, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	if !ok {
		return fn(ctx)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.before == nil {
		h.before = map[string]func(context.Context) error{}
	}
	if _, dup := h.before[key]; !dup {
		h.before[key] = fn
	}
	return nil
}

// RunBeforeCommit runs the BeforeCommit hooks of the transaction ctx
// carries, in key order, until none is left (a hook may register more);
// stores call it when the transaction's function has returned nil.
func RunBeforeCommit(ctx context.Context) error {
	h, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	if !ok {
		return nil
	}
	done := map[string]bool{}
	for {
		h.mu.Lock()
		var keys []string
		for k := range h.before {
			if !done[k] {
				keys = append(keys, k)
			}
		}
		h.mu.Unlock()
		if len(keys) == 0 {
			return nil
		}
		sort.Strings(keys)
		for _, k := range keys {
			done[k] = true
			h.mu.Lock()
			fn := h.before[k]
			h.mu.Unlock()
			if err := fn(ctx); err != nil {
				return fmt.Errorf("before commit: %w", err)
			}
		}
	}
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
