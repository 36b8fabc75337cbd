package app

import (
	"math/big"
	"regexp"
	"strings"
	"time"
)

// PayoutDetails are where a creator's money is paid: a bank account (a
// holder's name, an IBAN and optionally a BIC) for transfers an admin
// makes, or a Stripe connected account for Stripe Connect.
type PayoutDetails struct {
	CreatorURI    string
	Name          string
	IBAN          string // normalised: upper case, no spaces
	BIC           string
	StripeAccount string // acct_…
	UpdatedAt     time.Time
}

var (
	ibanPattern   = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
	bicPattern    = regexp.MustCompile(`^[A-Z]{6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3})?$`)
	stripeAccount = regexp.MustCompile(`^acct_[A-Za-z0-9]{6,64}$`)
)

// NormalizeIBAN returns s without spaces, in upper case, when it is an
// IBAN whose check digits hold (ISO 13616: mod 97 = 1); otherwise
// app.EINVALID naming what is wrong.
func NormalizeIBAN(s string) (string, error) {
	iban := strings.ToUpper(strings.Join(strings.Fields(s), ""))
	if !ibanPattern.MatchString(iban) {
		return "", Errorf(EINVALID, "%q is not an IBAN: two letters, two check digits and up to 30 letters or digits", s)
	}
	// Move the country and check digits to the end, letters to numbers
	// (A = 10 … Z = 35), and the whole must leave 1 when divided by 97.
	var digits strings.Builder
	for _, r := range iban[4:] + iban[:4] {
		if r >= 'A' && r <= 'Z' {
			digits.WriteString(big.NewInt(int64(r - 'A' + 10)).String())
		} else {
			digits.WriteRune(r)
		}
	}
	n, _ := new(big.Int).SetString(digits.String(), 10)
	if new(big.Int).Mod(n, big.NewInt(97)).Int64() != 1 {
		return "", Errorf(EINVALID, "%q is not a valid IBAN: its check digits do not match (a typing error?)", s)
	}
	return iban, nil
}

// NormalizeBIC returns s in upper case when it is a BIC (ISO 9362: 8 or
// 11 characters).
func NormalizeBIC(s string) (string, error) {
	bic := strings.ToUpper(strings.TrimSpace(s))
	if !bicPattern.MatchString(bic) {
		return "", Errorf(EINVALID, "%q is not a BIC: 8 or 11 letters and digits such as DEUTDEFF", s)
	}
	return bic, nil
}

// MaxPayoutName is the longest account holder's name (SEPA allows 70).
const MaxPayoutName = 70

// Normalize checks d and returns it cleaned up: a name, and an IBAN (with
// an optional BIC) or a Stripe connected account, or both.
func (d PayoutDetails) Normalize() (PayoutDetails, error) {
	d.Name = strings.Join(strings.Fields(d.Name), " ")
	d.StripeAccount = strings.TrimSpace(d.StripeAccount)
	var err error
	switch {
	case d.IBAN == "" && d.StripeAccount == "":
		return d, Errorf(EINVALID, "payout details need an IBAN or a Stripe connected account")
	case d.IBAN != "" && d.Name == "":
		return d, Errorf(EINVALID, "a bank transfer needs the account holder's name")
	case len([]rune(d.Name)) > MaxPayoutName:
		return d, Errorf(EINVALID, "the account holder's name is longer than %d characters", MaxPayoutName)
	case d.StripeAccount != "" && !stripeAccount.MatchString(d.StripeAccount):
		return d, Errorf(EINVALID, "%q is not a Stripe connected account id (acct_…)", d.StripeAccount)
	}
	if d.IBAN != "" {
		if d.IBAN, err = NormalizeIBAN(d.IBAN); err != nil {
			return d, err
		}
	}
	if d.BIC != "" {
		if d.IBAN == "" {
			return d, Errorf(EINVALID, "a BIC goes with an IBAN")
		}
		if d.BIC, err = NormalizeBIC(d.BIC); err != nil {
			return d, err
		}
	}
	return d, nil
}

// States of a payout batch.
const (
	BatchBuilding = "building" // the run is taking creators' balances
	BatchOpen     = "open"     // built: waiting to be sent or marked paid
	BatchPaid     = "paid"     // every payout in it paid or failed
)

// States of a payout.
const (
	PayoutPending = "pending" // money in flight, not yet confirmed
	PayoutPaid    = "paid"
	PayoutFailed  = "failed" // the money went back to the creator's balance
)

// PayoutBatch is one payout run: the payouts of every creator due at the
// time, through one provider.
type PayoutBatch struct {
	ID        string
	Provider  string
	Currency  string
	State     string
	Ref       string // the provider's or the bank's reference, once paid
	CreatedAt time.Time
	PaidAt    *time.Time
	Payouts   []Payout
}

// Payout is one creator's payout in a batch. Key is its idempotency key
// (also the SEPA EndToEndId and the Stripe idempotency key); the details
// are those the creator had when the batch was made.
type Payout struct {
	Key        string
	BatchID    string
	CreatorURI string
	Amount     Money
	Provider   string
	State      string
	Details    PayoutDetails
	Ref        string // the provider's id of the transfer
	Reason     string // why it failed
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Total adds up the batch's payouts that are not failed.
func (b *PayoutBatch) Total() int64 {
	var sum int64
	for _, p := range b.Payouts {
		if p.State != PayoutFailed {
			sum += p.Amount.Minor
		}
	}
	return sum
}

// Earning is what a creator earned from one thing at one month's close:
// how many flattrs paid it and how much.
type Earning struct {
	Month    string
	ThingURI string
	Flattrs  int64
	Amount   int64
}
