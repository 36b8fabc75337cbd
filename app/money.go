package app

import (
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/bojanz/currency"
)

// decimalPattern is a plain decimal: no exponent, no grouping, no sign but
// a leading minus.
var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// Money is an amount in the minor units (cents) of an ISO 4217 currency.
// Amounts are never floats; operations on two amounts refuse mixed
// currencies.
type Money struct {
	Minor    int64  // amount in minor units: 250 is 2.50 EUR
	Currency string // ISO 4217 code, upper case
}

// NewMoney returns minor units of currency code, which must be a known
// ISO 4217 code.
func NewMoney(minor int64, code string) (Money, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !currency.IsValid(code) {
		return Money{}, Errorf(EINVALID, "%q is not an ISO 4217 currency code", code)
	}
	return Money{Minor: minor, Currency: code}, nil
}

// ParseMoney reads a decimal amount such as "2.50" in currency code. An
// amount with more decimals than the currency has (2.505 EUR, 1.5 JPY) is
// app.EINVALID, never rounded.
func ParseMoney(s, code string) (Money, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	digits, ok := currency.GetDigits(code)
	if !ok {
		return Money{}, Errorf(EINVALID, "%q is not an ISO 4217 currency code", code)
	}
	s = strings.TrimSpace(s)
	if !decimalPattern.MatchString(s) {
		return Money{}, Errorf(EINVALID, "%q is not an amount: write digits with an optional point, such as 2.50", s)
	}
	if _, frac, found := strings.Cut(s, "."); found && len(frac) > int(digits) {
		return Money{}, Errorf(EINVALID, "%s has more decimals than %s has (%d)", s, code, digits)
	}
	a, err := currency.NewAmount(s, code)
	if err != nil {
		return Money{}, &Error{Code: EINVALID, Message: fmt.Sprintf("%q is not an amount", s), Err: err}
	}
	minor, err := a.Int64()
	if err != nil {
		return Money{}, &Error{Code: EINVALID, Message: fmt.Sprintf("%s is too large", s), Err: err}
	}
	return Money{Minor: minor, Currency: code}, nil
}

// sameCurrency refuses an operation on amounts of two currencies.
func (m Money) sameCurrency(o Money) error {
	if m.Currency != o.Currency {
		return Errorf(EINVALID, "cannot combine %s with %s", m.Currency, o.Currency)
	}
	return nil
}

// Add returns m + o; mixed currencies and overflow are errors.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	if (o.Minor > 0 && m.Minor > math.MaxInt64-o.Minor) || (o.Minor < 0 && m.Minor < math.MinInt64-o.Minor) {
		return Money{}, Errorf(EINVALID, "%s + %s overflows", m, o)
	}
	return Money{Minor: m.Minor + o.Minor, Currency: m.Currency}, nil
}

// Sub returns m − o; mixed currencies and overflow are errors.
func (m Money) Sub(o Money) (Money, error) {
	if o.Minor == math.MinInt64 {
		return Money{}, Errorf(EINVALID, "%s − %s overflows", m, o)
	}
	return m.Add(Money{Minor: -o.Minor, Currency: o.Currency})
}

// Cmp compares m and o: -1, 0 or 1; mixed currencies are an error.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency(o); err != nil {
		return 0, err
	}
	switch {
	case m.Minor < o.Minor:
		return -1, nil
	case m.Minor > o.Minor:
		return 1, nil
	}
	return 0, nil
}

// IsZero tells whether m is no money.
func (m Money) IsZero() bool { return m.Minor == 0 }

// Decimal writes m as a plain decimal number with the currency's digits,
// such as "2.50" (no symbol, no grouping): for files and APIs.
func (m Money) Decimal() string {
	a, err := currency.NewAmountFromInt64(m.Minor, m.Currency)
	if err != nil {
		return fmt.Sprintf("%d", m.Minor)
	}
	return a.Number()
}

// String is the decimal amount and the code, such as "2.50 EUR".
func (m Money) String() string { return m.Decimal() + " " + m.Currency }

// Format writes m for people, per the CLDR rules of locale (a BCP 47 tag
// such as "de-DE" or "en-US"): "2,50 €", "€2.50".
func (m Money) Format(locale string) string {
	a, err := currency.NewAmountFromInt64(m.Minor, m.Currency)
	if err != nil {
		return m.String()
	}
	return currency.NewFormatter(currency.NewLocale(locale)).Format(a)
}
