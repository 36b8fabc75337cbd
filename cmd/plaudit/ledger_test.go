package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/store"
)

// TestWalletCreditAndLedgerCheck: a manual top-up credits the wallet once
// per reference, refuses the same reference with another amount, and the
// ledger check prints the balances and passes.
func TestWalletCreditAndLedgerCheck(t *testing.T) {
	cfg := testConfig(t)
	env := configEnv(cfg)
	runCLI(t, env, "", "migrate")
	runCLI(t, env, "a user password\n", "user", "create", "carol")

	out := runCLI(t, env, "", "wallet", "credit", "carol", "10.00", "--ref", "bank-2026-12-01")
	if !strings.Contains(out, "wallet 10.00 EUR") {
		t.Fatalf("wallet credit printed %q", out)
	}
	out = runCLI(t, env, "", "wallet", "credit", "carol", "10.00", "--ref", "bank-2026-12-01")
	if !strings.Contains(out, "wallet 10.00 EUR") {
		t.Fatalf("the same credit again printed %q, want the wallet unchanged", out)
	}
	for name, args := range map[string][]string{
		"other amount, same ref": {"wallet", "credit", "carol", "12.00", "--ref", "bank-2026-12-01"},
		"too many decimals":      {"wallet", "credit", "carol", "1.005", "--ref", "x"},
		"no ref":                 {"wallet", "credit", "carol", "1.00"},
		"unknown user":           {"wallet", "credit", "zed", "1.00", "--ref", "y"},
		"nothing":                {"wallet", "credit", "carol", "0", "--ref", "z"},
	} {
		if code, _, errOut := runCLIResult(t, env, args...); code == 0 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want a failure with a message", name, code, errOut)
		}
	}
	out = runCLI(t, env, "", "ledger", "check")
	for _, want := range []string{"money_in         10.00", "wallet           10.00", "ledger ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("ledger check printed %q, want %q", out, want)
		}
	}

	// A cached balance tampered with: the check names the violation and fails.
	st, err := store.Open(context.Background(), cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.DB().Exec("UPDATE ledger_accounts SET balance = balance + 100 WHERE kind = 'wallet'").Error; err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLIResult(t, env, "ledger", "check")
	if code == 0 || !strings.Contains(errOut, "violation: drift") || !strings.Contains(errOut, "violation: invariant") {
		t.Fatalf("ledger check after tampering: exit %d, stderr %q", code, errOut)
	}
}

// TestMonthClose: a funder's flattr of a local thing is paid at the close
// of the month: the minimum budget leaves the wallet for the creator; the
// close runs once, and the running month needs --early.
func TestMonthClose(t *testing.T) {
	ctx := context.Background()
	cfg := testConfig(t)
	env := append(configEnv(cfg), "PLAUDIT_DOMAIN="+cfg.Domain)
	runCLI(t, env, "", "migrate")
	runCLI(t, env, "a user password\n", "user", "create", "carol")
	runCLI(t, env, "a user password\n", "user", "create", "bob")
	runCLI(t, env, "", "wallet", "credit", "carol", "5.00", "--ref", "r1")
	st, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base := cfg.BaseURL()
	thing := &app.Thing{URI: base + "/objects/1", OwnerURI: base + "/users/bob", OwnerConfirmed: true, Kind: app.ThingNote, Host: cfg.Domain, Local: true}
	if err := st.UpsertThing(ctx, thing); err != nil {
		t.Fatal(err)
	}
	month := app.MonthOf(time.Now())
	if _, err := st.InsertFlattr(ctx, &app.Flattr{ActivityURI: base + "/activities/1", FunderURI: base + "/users/carol", ThingURI: thing.URI,
		OwnerURI: thing.OwnerURI, Month: month, Weight: 3, Local: true, State: app.FlattrActive, CreatedAt: time.Now().Add(-time.Minute)}); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLIResult(t, env, "month", "close", "--month", month); code == 0 || !strings.Contains(errOut, "early") {
		t.Fatalf("closing the running month without --early: exit %d, %q", code, errOut)
	}
	for range 2 {
		out := runCLI(t, env, "", "month", "close", "--month", month, "--early")
		if !strings.Contains(out, month+" closed: 1 funders") {
			t.Fatalf("month close printed %q", out)
		}
	}
	out := runCLI(t, env, "", "ledger", "check")
	for _, want := range []string{"wallet           3.00", "creator          2.00", "ledger ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("ledger check printed %q, want %q", out, want)
		}
	}
}

// TestSettlementCommands: list shows nothing before any statement;
// confirming a month with no statements is refused, naming why.
func TestSettlementCommands(t *testing.T) {
	cfg := testConfig(t)
	env := append(configEnv(cfg), "PLAUDIT_DOMAIN="+cfg.Domain)
	runCLI(t, env, "", "migrate")
	if out := runCLI(t, env, "", "settlement", "list"); !strings.Contains(out, "no statements") {
		t.Fatalf("settlement list printed %q", out)
	}
	for name, args := range map[string][]string{
		"no statements":     {"settlement", "confirm", "peer.example", "2026-11", "--amount", "1.00", "--ref", "R"},
		"no ref":            {"settlement", "confirm", "peer.example", "2026-11", "--amount", "1.00"},
		"too many decimals": {"settlement", "confirm", "peer.example", "2026-11", "--amount", "1.001", "--ref", "R"},
	} {
		if code, _, errOut := runCLIResult(t, env, args...); code == 0 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want a failure with a message", name, code, errOut)
		}
	}
}
