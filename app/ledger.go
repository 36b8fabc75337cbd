package app

import (
	"fmt"
	"strings"
	"time"
)

// Kinds of ledger accounts. Every account is a kind and a key: whose it is
// (a funder's actor, an owner's actor or URL, a peer's host, a provider).
const (
	AccountWallet         = "wallet"          // a funder's money, not yet split
	AccountFees           = "fees"            // the instance's fee
	AccountEscrow         = "escrow"          // held for an owner who has not claimed their things
	AccountCreator        = "creator"         // a creator's balance, to be paid out
	AccountCreatorPending = "creator_pending" // a creator's earnings awaiting a peer's settlement
	AccountPayable        = "payable"         // owed to a peer instance
	AccountReceivable     = "receivable"      // owed by a peer instance
	AccountMoneyIn        = "money_in"        // where money came in from (a payment provider)
	AccountMoneyOut       = "money_out"       // where money went out to (payouts, settlements)
)

// AccountKinds lists every kind, in the order reports show them.
var AccountKinds = []string{
	AccountMoneyIn, AccountWallet, AccountFees, AccountEscrow, AccountCreator, AccountCreatorPending,
	AccountPayable, AccountReceivable, AccountMoneyOut,
}

// SourceKind tells whether accounts of kind hold money that came from
// elsewhere (their balance is zero or negative: money in, receivables);
// every other kind holds money (zero or positive).
func SourceKind(kind string) bool { return kind == AccountMoneyIn || kind == AccountReceivable }

// ValidAccountKind tells whether kind is one of AccountKinds.
func ValidAccountKind(kind string) bool {
	for _, k := range AccountKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Account names a ledger account.
type Account struct {
	Kind string
	Key  string
}

func (a Account) String() string { return a.Kind + ":" + a.Key }

// Posting moves Amount minor units into Account (negative: out of it).
type Posting struct {
	Account Account
	Amount  int64
}

// Transaction is a set of postings that sums to zero, written once and
// never changed (corrections are new transactions). Key makes writing it
// idempotent: the same key with the same postings is the same
// transaction; with other postings it is an error.
type Transaction struct {
	ID       int64
	Key      string
	Kind     string // what it records: topup, close, payout, settlement, correction…
	Memo     string
	Currency string
	Postings []Posting
	At       time.Time
}

// Check refuses a transaction that could not be written: no key, fewer
// than two postings, a zero posting, an unknown account kind, an account
// named twice, or postings that do not sum to zero.
func (t *Transaction) Check() error {
	if strings.TrimSpace(t.Key) == "" {
		return Errorf(EINVALID, "a ledger transaction needs an idempotency key")
	}
	if len(t.Postings) < 2 {
		return Errorf(EINVALID, "transaction %s has %d postings; it needs two or more", t.Key, len(t.Postings))
	}
	var sum int64
	seen := map[Account]bool{}
	for _, p := range t.Postings {
		switch {
		case !ValidAccountKind(p.Account.Kind):
			return Errorf(EINVALID, "transaction %s: %q is no account kind", t.Key, p.Account.Kind)
		case p.Account.Key == "":
			return Errorf(EINVALID, "transaction %s: a %s account needs a key", t.Key, p.Account.Kind)
		case p.Amount == 0:
			return Errorf(EINVALID, "transaction %s: a posting to %s of nothing", t.Key, p.Account)
		case seen[p.Account]:
			return Errorf(EINVALID, "transaction %s names %s twice", t.Key, p.Account)
		}
		seen[p.Account] = true
		next := sum + p.Amount
		if (p.Amount > 0 && next < sum) || (p.Amount < 0 && next > sum) {
			return Errorf(EINVALID, "transaction %s overflows", t.Key)
		}
		sum = next
	}
	if sum != 0 {
		return Errorf(EINVALID, "transaction %s does not balance: its postings sum to %d", t.Key, sum)
	}
	return nil
}

// SamePostings tells whether t and o move the same amounts between the
// same accounts in the same currency (in any order).
func (t *Transaction) SamePostings(o *Transaction) bool {
	if t.Currency != o.Currency || len(t.Postings) != len(o.Postings) {
		return false
	}
	mine := map[Account]int64{}
	for _, p := range t.Postings {
		mine[p.Account] = p.Amount
	}
	for _, p := range o.Postings {
		if a, ok := mine[p.Account]; !ok || a != p.Amount {
			return false
		}
	}
	return true
}

// Balance is an account's balance.
type Balance struct {
	Account Account
	Money   Money
}

// Violation is one thing `plaudit ledger check` found wrong.
type Violation struct {
	Rule    string // unbalanced, drift, negative, invariant
	Message string
}

func (v Violation) Error() string { return fmt.Sprintf("%s: %s", v.Rule, v.Message) }

// LedgerAudit is what the ledger check compares, as the store reads it
// with aggregate queries (the lists are bounded: a ledger with very many
// violations lists the first ones).
type LedgerAudit struct {
	// Unbalanced are the keys of transactions whose postings do not sum
	// to zero.
	Unbalanced []string
	// Drifting are accounts whose cached balance differs from the sum of
	// their postings.
	Drifting []Drift
	// Offending are accounts of a holding kind below zero, of a source
	// kind above it, or in another currency than the ledger's.
	Offending []Balance
	// Totals are the number and the balance sum of the accounts of each
	// kind and currency.
	Totals []KindTotal
}

// KindTotal sums the accounts of one kind in one currency.
type KindTotal struct {
	Kind     string
	Currency string
	Accounts int
	Balance  int64
}

// Drift is an account whose cached balance is not its postings' sum.
type Drift struct {
	Account  Account
	Currency string
	Cached   int64
	Postings int64
}

// Stages of a month close.
const (
	CloseFunders = "funders" // splitting each funder's budget
	CloseDone    = "done"
)

// MonthClose is the state of a month's close: its stage and the cut-off
// time the first run fixed (flattrs made after it are left out, on every
// rerun alike).
type MonthClose struct {
	Month      string
	Stage      string
	CutoffAt   time.Time
	Funders    int64
	StartedAt  time.Time
	FinishedAt *time.Time
}

// CloseLine is where part of one flattr's money went at a close.
type CloseLine struct {
	Month        string
	FunderURI    string
	ActivityURI  string
	ThingURI     string
	RecipientURI string
	Account      Account
	Amount       int64
}

// FunderClose is one funder's part of a month close.
type FunderClose struct {
	Month     string
	FunderURI string
	Amount    int64 // taken from the wallet
	Fee       int64
	LedgerKey string // "" when nothing was taken
}

// EscrowDebt is one funder's money held in escrow for one owner (or
// thing URL) from one month's close.
type EscrowDebt struct {
	EscrowKey string
	FunderURI string
	Month     string
	Amount    int64
}

// EscrowHolding is what escrow holds, unsettled, for one key (an owner's
// actor or a thing's URL).
type EscrowHolding struct {
	Key    string
	Amount int64
}
