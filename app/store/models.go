package store

import "github.com/plaudit/plaudit/app"

// Models lists every type the store keeps in a table; tests check the
// migrations against it.
func Models() []any {
	return []any{
		&userRow{}, &app.Session{}, &app.APIToken{}, &app.Invite{}, &app.JobProbe{},
		&app.InstanceKey{}, &instanceEd25519KeyRow{}, &app.RemoteActor{}, &app.Follow{}, &app.Activity{}, &app.RemoteObject{},
		&app.Like{}, &app.Delivery{}, &app.RemoteHost{}, &app.DomainBlock{}, &app.ActorBlock{}, &postRow{},
		&thingRow{}, &thingCountRow{}, &flattrRow{}, &undoneRow{}, &recipientRow{}, &subscriptionRow{},
		&claimRow{}, &blogRow{}, &blogItemRow{},
		&ledgerAccountRow{}, &ledgerTransactionRow{}, &ledgerPostingRow{},
		&budgetRow{}, &monthCloseRow{}, &monthCloseFunderRow{}, &monthCloseLineRow{}, &escrowSettlementRow{},
	}
}
