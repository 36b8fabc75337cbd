package instance

import (
	"context"

	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/jobs"
)

// What the multi-instance tests look at inside an instance: its database
// (to count rows), its accounts (to make users and tokens) and its fetcher.
// These are compiled into this package's tests only.

func (inst *Instance) TestStore() *store.Store           { return inst.store }
func (inst *Instance) TestAccounts() *accounts.Service   { return inst.accounts }
func (inst *Instance) TestFetcher() *dereference.Fetcher { return inst.federation.Fetcher }

func (inst *Instance) TestMoney() *Money { return inst.money }

// TestEnqueue puts task on the instance's queue, as its scheduler would.
func (inst *Instance) TestEnqueue(ctx context.Context, queue string, task *asynq.Task) error {
	return jobs.NewClient(inst.redis, inst.opts.Queues).Enqueue(ctx, queue, task)
}
