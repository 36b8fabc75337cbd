package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
)

var batchLine = regexp.MustCompile(`(?m)^batch (B\d{14}(?:-\d)?) \(manual, open\): 2 payouts, 2\.00 EUR$`)

// TestPayoutCommands: after a month close, `payout run` makes a batch of
// the creators due (a rerun makes none), `payout export` writes it as CSV
// and as a pain.001 file the official XSD accepts, `payout failed` gives
// a creator's money back, `payout paid` settles the rest once; unknown
// batches, bad formats and failing a paid payout are refused; the ledger
// check passes throughout.
func TestPayoutCommands(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	env := append(configEnv(cfg), "PLAUDIT_DOMAIN="+cfg.Domain, "PLAUDIT_MONEY_PAYOUT_THRESHOLD=1.00",
		"PLAUDIT_MONEY_SEPA_DEBTOR_NAME=Plaudit Cooperative", "PLAUDIT_MONEY_SEPA_DEBTOR_IBAN=DE89370400440532013000")
	runCLI(t, env, "", "migrate")
	for _, u := range []string{"carol", "bob", "erin"} {
		runCLI(t, env, "a user password\n", "user", "create", u)
	}
	runCLI(t, env, "", "wallet", "credit", "carol", "5.00", "--ref", "r1")
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := cfg.BaseURL()
	month := app.MonthOf(time.Now())
	for _, owner := range []string{"bob", "erin"} {
		thing := &app.Thing{URI: base + "/objects/" + owner, OwnerURI: base + "/users/" + owner, OwnerConfirmed: true, Kind: app.ThingNote, Host: cfg.Domain, Local: true}
		if err := st.UpsertThing(ctx, thing); err != nil {
			t.Fatal(err)
		}
		if _, err := st.InsertFlattr(ctx, &app.Flattr{ActivityURI: base + "/activities/" + owner, FunderURI: base + "/users/carol", ThingURI: thing.URI,
			OwnerURI: thing.OwnerURI, Month: month, Weight: 1, Local: true, State: app.FlattrActive, CreatedAt: time.Now().Add(-time.Minute)}); err != nil {
			t.Fatal(err)
		}
		if err := st.SetPayoutDetails(ctx, app.PayoutDetails{CreatorURI: thing.OwnerURI, Name: "Creator " + owner, IBAN: "FR1420041010050500013M02606"}); err != nil {
			t.Fatal(err)
		}
	}
	runCLI(t, env, "", "month", "close", "--month", month, "--early")

	out := runCLI(t, env, "", "payout", "run")
	m := batchLine.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, base+"/users/bob") || !strings.Contains(out, base+"/users/erin") {
		t.Fatalf("payout run printed %q", out)
	}
	batch := m[1]
	if out := runCLI(t, env, "", "payout", "run"); !strings.Contains(out, ": 0 payouts") {
		t.Fatalf("second run printed %q", out)
	}
	csvOut := runCLI(t, env, "", "payout", "export", batch, "--format", "csv")
	if !strings.HasPrefix(csvOut, "batch,payout,creator,name,iban") || !strings.Contains(csvOut, "FR1420041010050500013M02606,,,1.00,EUR,pending") {
		t.Fatalf("csv export:\n%s", csvOut)
	}
	file := filepath.Join(t.TempDir(), "batch.xml")
	runCLI(t, env, "", "payout", "export", batch, "--format", "pain001", "-o", file)
	validatePain001(t, file)
	for name, args := range map[string][]string{
		"unknown batch":     {"payout", "export", "B19990101000000", "--format", "csv"},
		"unknown format":    {"payout", "export", batch, "--format", "pdf"},
		"paid without ref":  {"payout", "paid", batch},
		"failed no reason":  {"payout", "failed", batch, "erin"},
		"failed, not there": {"payout", "failed", batch, "carol", "--reason", "x"},
		"paid unknown":      {"payout", "paid", "B19990101000000", "--ref", "x"},
	} {
		if code, _, errOut := runCLIResult(t, env, args...); code == 0 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want a failure with a message", name, code, errOut)
		}
	}
	if out := runCLI(t, env, "", "payout", "failed", batch, "erin", "--reason", "account closed"); !strings.Contains(out, "1.00 EUR back to "+base+"/users/erin") {
		t.Fatalf("payout failed printed %q", out)
	}
	if out := runCLI(t, env, "", "payout", "paid", batch, "--ref", "bank-1"); !strings.Contains(out, "(manual, paid): 2 payouts, 1.00 EUR") {
		t.Fatalf("payout paid printed %q", out)
	}
	if out := runCLI(t, env, "", "payout", "paid", batch, "--ref", "bank-1"); !strings.Contains(out, "paid already (ref bank-1); nothing changed") {
		t.Fatalf("payout paid again printed %q", out)
	}
	if code, _, errOut := runCLIResult(t, env, "payout", "failed", batch, "bob", "--reason", "late"); code == 0 || !strings.Contains(errOut, "marked paid") {
		t.Fatalf("failing a paid payout: exit %d, %q", code, errOut)
	}
	out = runCLI(t, env, "", "ledger", "check")
	for _, want := range []string{"creator          1.00", "money_out        1.00", "ledger ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("ledger check printed %q, want %q", out, want)
		}
	}

	// An instance kept in another currency cannot export SEPA files, and
	// the file it was asked for is not written.
	usd := append(env[:len(env):len(env)], "PLAUDIT_CURRENCY=USD")
	if err := st.DB().Exec("UPDATE payout_batches SET currency = 'USD' WHERE id = ?", batch).Error; err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "usd.xml")
	if code, _, errOut := runCLIResult(t, usd, "payout", "export", batch, "--format", "pain001", "-o", other); code == 0 || !strings.Contains(errOut, "EUR only") {
		t.Fatalf("pain001 of a USD batch: exit %d, %q", code, errOut)
	}
	if _, err := os.Stat(other); !os.IsNotExist(err) {
		t.Fatalf("the refused export left %s (%v)", other, err)
	}
	// A zero threshold is refused at start.
	if code, _, errOut := runCLIResult(t, append(env[:len(env):len(env)], "PLAUDIT_MONEY_PAYOUT_THRESHOLD=0"), "payout", "run"); code == 0 || !strings.Contains(errOut, "payout_threshold") {
		t.Fatalf("zero threshold: exit %d, %q", code, errOut)
	}
}

// validatePain001 checks file against the official schema with xmllint
// (required in CI, PLAUDIT_TEST_XMLLINT=required).
func validatePain001(t *testing.T, file string) {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("PLAUDIT_TEST_XMLLINT") == "required" {
			t.Fatal("PLAUDIT_TEST_XMLLINT=required but xmllint (libxml2-utils) is not installed")
		}
		t.Log("xmllint is not installed: the exported pain.001 file is not validated here")
		return
	}
	if out, err := exec.Command(xmllint, "--noout", "--schema", "../../payments/sepa/testdata/pain.001.001.03.xsd", file).CombinedOutput(); err != nil {
		t.Fatalf("the exported pain.001 file does not validate: %s", out)
	}
}
