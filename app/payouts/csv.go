package payouts

import (
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"github.com/plaudit/plaudit/app"
)

// WriteCSV writes batch b as CSV, one line per payout: what an admin
// needs to make the transfers by hand (amounts as decimals in the
// currency's digits, never floats).
func WriteCSV(w io.Writer, b *app.PayoutBatch) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"batch", "payout", "creator", "name", "iban", "bic", "stripe_account", "amount", "currency", "state", "ref", "reason"})
	for _, p := range b.Payouts {
		_ = cw.Write([]string{b.ID, p.Key, p.CreatorURI, cell(p.Details.Name), p.Details.IBAN, p.Details.BIC, p.Details.StripeAccount,
			p.Amount.Decimal(), p.Amount.Currency, p.State, cell(p.Ref), cell(p.Reason)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write batch %s as CSV: %w", b.ID, err)
	}
	return nil
}

// cell keeps a text a person typed from being read as a formula by a
// spreadsheet the admin opens the file in: one starting with =, +, -, @
// or a control character gets a leading apostrophe.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
