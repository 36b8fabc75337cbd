package instance

import (
	"context"

	"github.com/plaudit/plaudit/app/autoflattr"

	"github.com/hibiken/asynq"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/dereference"
	"github.com/plaudit/plaudit/federation/keys"
	"github.com/plaudit/plaudit/federation/outbox"
	"github.com/plaudit/plaudit/federation/transport"
	"github.com/plaudit/plaudit/jobs"
)

// What the multi-instance tests look at inside an instance: its database
// (to count rows), its accounts (to make users and tokens) and its fetcher.
// These are compiled into this package's tests only.

func (inst *Instance) TestStore() *store.Store           { return inst.store }
func (inst *Instance) TestAccounts() *accounts.Service   { return inst.accounts }
func (inst *Instance) TestFetcher() *dereference.Fetcher { return inst.federation.Fetcher }

// TestMoney is the instance's money use cases.
func (inst *Instance) TestMoney() *Money { return inst.money }

// TestCloseMonth does for month, early, what the hourly months job does
// for the previous month: ask the servers of its flattred things whether
// they settle, then close it.
func (inst *Instance) TestCloseMonth(ctx context.Context, month string) error {
	if err := inst.money.discoverPeers(ctx, month); err != nil {
		return err
	}
	_, err := inst.money.Months.Close(ctx, month, true, nil)
	return err
}

// TestSendStatements writes and offers month's statements, as the job
// does after a close.
func (inst *Instance) TestSendStatements(ctx context.Context, month string) error {
	return inst.money.sendStatements(ctx, month, inst.logger)
}

// TestPublisher publishes as local actors (for crafted messages).
func (inst *Instance) TestPublisher() *outbox.Publisher { return inst.federation.Publisher }

// TestClient makes the instance's signed requests.
func (inst *Instance) TestClient() *transport.Client { return inst.federation.Client }

// TestKeys is the instance's keyring (to sign crafted documents).
func (inst *Instance) TestKeys() *keys.Keyring { return inst.federation.Keys }

// TestEnqueue puts task on the instance's queue, as its scheduler would.
func (inst *Instance) TestEnqueue(ctx context.Context, queue string, task *asynq.Task) error {
	return jobs.NewClient(inst.redis, inst.opts.Queues).Enqueue(ctx, queue, task)
}

// TestAutoFlattr is the auto-flattr use case (nil without its key).
func (inst *Instance) TestAutoFlattr() *autoflattr.Service { return inst.federation.AutoFlattr }
