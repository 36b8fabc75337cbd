package sepa_test

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/payments/sepa"
)

var (
	debtor = sepa.Debtor{Name: "Plaudit Cooperative", IBAN: "DE89 3704 0044 0532 0130 00", BIC: "COBADEFFXXX"}
	now    = time.Date(2026, 12, 10, 9, 30, 0, 0, time.UTC)
)

func batch() *app.PayoutBatch {
	eur := func(m int64) app.Money { return app.Money{Minor: m, Currency: "EUR"} }
	return &app.PayoutBatch{ID: "B20261210093000", Provider: "manual", Currency: "EUR", State: app.BatchOpen, Payouts: []app.Payout{
		{Key: "B20261210093000-0123456789abcdef", CreatorURI: "https://p.example/users/bob", Amount: eur(1234), State: app.PayoutPending,
			Details: app.PayoutDetails{Name: "Bob <& Sons>", IBAN: "FR1420041010050500013M02606", BIC: "BNPAFRPP"}},
		{Key: "B20261210093000-fedcba9876543210", CreatorURI: "https://p.example/users/erin", Amount: eur(100005), State: app.PayoutPending,
			Details: app.PayoutDetails{Name: "Erin Ünlü", IBAN: "NL91ABNA0417164300"}},
		{Key: "B20261210093000-00000000000000ff", CreatorURI: "https://p.example/users/gil", Amount: eur(999), State: app.PayoutFailed,
			Details: app.PayoutDetails{Name: "Gil", IBAN: "GB82WEST12345698765432"}},
	}}
}

// xmllint returns the path of xmllint, failing the test when CI requires
// it (PLAUDIT_TEST_XMLLINT=required, set by .ci/run) and skipping it
// elsewhere when it is missing.
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("PLAUDIT_TEST_XMLLINT") == "required" {
			t.Fatal("PLAUDIT_TEST_XMLLINT=required but xmllint (Debian package libxml2-utils) is not installed")
		}
		t.Skip("xmllint is not installed (apt-get install libxml2-utils)")
	}
	return path
}

// validate runs doc through xmllint against the official schema and
// returns its complaint, "" when the document is valid.
func validate(t *testing.T, doc []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "pain.xml")
	if err := os.WriteFile(file, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(xmllint(t), "--noout", "--schema", "testdata/pain.001.001.03.xsd", file).CombinedOutput()
	if err != nil {
		return string(out)
	}
	return ""
}

// TestPain001ValidatesAgainstTheXSD: a batch written as pain.001.001.03
// passes the official schema, carries the totals in decimals from minor
// units, leaves out the failed payout, and names each payout by its key.
func TestPain001ValidatesAgainstTheXSD(t *testing.T) {
	var buf bytes.Buffer
	if err := sepa.Write(&buf, batch(), debtor, now); err != nil {
		t.Fatal(err)
	}
	if msg := validate(t, buf.Bytes()); msg != "" {
		t.Fatalf("the file does not validate:\n%s\n%s", msg, buf.String())
	}
	var doc struct {
		Hdr struct {
			NbOfTxs, CtrlSum string
		} `xml:"CstmrCdtTrfInitn>GrpHdr"`
		Txs []struct {
			EndToEndID string `xml:"PmtId>EndToEndId"`
			Amt        string `xml:"Amt>InstdAmt"`
			Name       string `xml:"Cdtr>Nm"`
		} `xml:"CstmrCdtTrfInitn>PmtInf>CdtTrfTxInf"`
		DbtrIBAN string `xml:"CstmrCdtTrfInitn>PmtInf>DbtrAcct>Id>IBAN"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Hdr.NbOfTxs != "2" || doc.Hdr.CtrlSum != "1012.39" || len(doc.Txs) != 2 || doc.DbtrIBAN != "DE89370400440532013000" {
		t.Fatalf("document = %+v", doc)
	}
	if doc.Txs[0].EndToEndID != "B20261210093000-0123456789abcdef" || doc.Txs[0].Amt != "12.34" || doc.Txs[0].Name != "Bob <& Sons>" ||
		doc.Txs[1].Amt != "1000.05" {
		t.Fatalf("transfers = %+v", doc.Txs)
	}
	// Without the debtor's BIC the agent is NOTPROVIDED, still valid.
	buf.Reset()
	if err := sepa.Write(&buf, batch(), sepa.Debtor{Name: debtor.Name, IBAN: debtor.IBAN}, now); err != nil {
		t.Fatal(err)
	}
	if msg := validate(t, buf.Bytes()); msg != "" || !strings.Contains(buf.String(), "NOTPROVIDED") {
		t.Fatalf("without a BIC: %s\n%s", msg, buf.String())
	}
}

// TestTamperedPain001FailsTheXSD: the schema check is real: documents
// changed in ways a bank would refuse do not validate.
func TestTamperedPain001FailsTheXSD(t *testing.T) {
	var buf bytes.Buffer
	if err := sepa.Write(&buf, batch(), debtor, now); err != nil {
		t.Fatal(err)
	}
	good := buf.String()
	for name, bad := range map[string]string{
		"float amount":       strings.Replace(good, ">12.34<", ">1.234e1<", 1),
		"negative amount":    strings.Replace(good, ">12.34<", ">-12.34<", 1),
		"bad payment method": strings.Replace(good, "<PmtMtd>TRF</PmtMtd>", "<PmtMtd>CASH</PmtMtd>", 1),
		"lower-case IBAN":    strings.Replace(good, "NL91ABNA0417164300", "nl91abna0417164300", 1),
		"no end-to-end id":   strings.Replace(good, "<EndToEndId>B20261210093000-0123456789abcdef</EndToEndId>", "", 1),
		"id too long":        strings.Replace(good, "B20261210093000-0123456789abcdef", "B20261210093000-0123456789abcdef-and-more", 1),
		"unknown element":    strings.Replace(good, "<ChrgBr>SLEV</ChrgBr>", "<ChrgBr>SLEV</ChrgBr><Tip>1</Tip>", 1),
		"other namespace":    strings.Replace(good, sepa.Namespace, "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09", 1),
	} {
		if bad == good {
			t.Fatalf("%s: the replacement changed nothing", name)
		}
		if msg := validate(t, []byte(bad)); msg == "" {
			t.Errorf("%s: the tampered document validated", name)
		}
	}
}

// TestPain001Refusals: a non-EUR batch, a batch with nothing to pay, a
// payout without an IBAN and a bad debtor account are refused, and
// nothing is written.
func TestPain001Refusals(t *testing.T) {
	usd := batch()
	usd.Currency = "USD"
	empty := batch()
	empty.Payouts = empty.Payouts[2:]
	noIBAN := batch()
	noIBAN.Payouts[0].Details.IBAN = ""
	for name, c := range map[string]struct {
		b *app.PayoutBatch
		d sepa.Debtor
	}{
		"usd":          {usd, debtor},
		"nothing":      {empty, debtor},
		"no iban":      {noIBAN, debtor},
		"no debtor":    {batch(), sepa.Debtor{}},
		"bad checksum": {batch(), sepa.Debtor{Name: "x", IBAN: "DE89370400440532013001"}},
		"bad bic":      {batch(), sepa.Debtor{Name: "x", IBAN: debtor.IBAN, BIC: "NOPE"}},
	} {
		var buf bytes.Buffer
		err := sepa.Write(&buf, c.b, c.d, now)
		if app.ErrorCode(err) != app.EINVALID || buf.Len() != 0 {
			t.Errorf("%s: %v, %d bytes written; want invalid and nothing", name, err, buf.Len())
		}
	}
	if err := sepa.Write(&bytes.Buffer{}, usd, debtor, now); !strings.Contains(app.ErrorMessage(err), "EUR only") {
		t.Errorf("usd: %q does not say why", app.ErrorMessage(err))
	}
}
