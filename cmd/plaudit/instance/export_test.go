package instance

import (
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/federation/dereference"
)

// What the multi-instance tests look at inside an instance: its database
// (to count rows), its accounts (to make users and tokens) and its fetcher.
// These are compiled into this package's tests only.

func (inst *Instance) TestStore() *store.Store           { return inst.store }
func (inst *Instance) TestAccounts() *accounts.Service   { return inst.accounts }
func (inst *Instance) TestFetcher() *dereference.Fetcher { return inst.federation.Fetcher }

func (inst *Instance) TestMoney() *Money { return inst.money }
