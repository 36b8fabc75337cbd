package settlement

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
)

func sampleStatement() *app.Statement {
	return &app.Statement{URI: "https://a.example/statements/2026-11/b.example/2", Month: "2026-11", Version: 2,
		Supersedes: "https://a.example/statements/2026-11/b.example/1", Currency: "EUR", Total: 351,
		Lines: []app.StatementLine{
			{LikeURI: "https://a.example/activities/1", ThingURI: "https://b.example/objects/1", Amount: 250},
			{LikeURI: "https://a.example/activities/2", ThingURI: "https://m.example/statuses/9", Amount: 101, Claimant: "https://b.example/users/alicia"},
		}, CreatedAt: time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)}
}

func TestStatementRoundTrip(t *testing.T) {
	want := sampleStatement()
	raw, err := json.Marshal(StatementDocument(want, "https://a.example/actor", "https://b.example/actor"))
	if err != nil {
		t.Fatal(err)
	}
	got, by, err := ParseStatement(raw)
	if err != nil {
		t.Fatal(err)
	}
	if by != "https://a.example/actor" || got.URI != want.URI || got.Total != 351 || got.Currency != "EUR" || got.Supersedes != want.Supersedes ||
		len(got.Lines) != 2 || got.Lines[1] != want.Lines[1] || got.Lines[0] != want.Lines[0] {
		t.Fatalf("parsed %+v by %s; want %+v", got, by, want)
	}
	if !strings.Contains(string(raw), `"total":"3.51"`) || !strings.Contains(string(raw), `"amount":"1.01"`) {
		t.Fatalf("amounts are not decimal strings: %s", raw)
	}
}

func TestParseStatementRefuses(t *testing.T) {
	good := func() map[string]any {
		raw, _ := json.Marshal(StatementDocument(sampleStatement(), "https://a.example/actor", "https://b.example/actor"))
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return m
	}
	line := func(m map[string]any) map[string]any { return m["lines"].([]any)[0].(map[string]any) }
	cases := []struct {
		name, want string
		edit       func(m map[string]any)
	}{
		{"more decimals than the currency", "more decimals", func(m map[string]any) { line(m)["amount"] = "2.505" }},
		{"unknown currency", "ISO 4217", func(m map[string]any) { m["currency"] = "EUX" }},
		{"negative total", "", func(m map[string]any) { m["total"] = "-3.51" }},
		{"amount as a float", "cannot unmarshal number", func(m map[string]any) { line(m)["amount"] = 2.5 }},
		{"exponent", "not an amount", func(m map[string]any) { line(m)["amount"] = "2e2" }},
		{"not a statement", "not a Statement", func(m map[string]any) { m["type"] = "Note" }},
		{"no month", "YYYY-MM", func(m map[string]any) { delete(m, "month") }},
		{"line count", "lines but has", func(m map[string]any) { m["lineCount"] = 3 }},
		{"line without a Like", "needs a like", func(m map[string]any) { delete(line(m), "like") }},
		{"no attributedTo", "attributedTo", func(m map[string]any) { delete(m, "attributedTo") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := good()
			c.edit(m)
			raw, _ := json.Marshal(m)
			st, _, err := ParseStatement(raw)
			if c.name == "negative total" {
				// A negative total parses; reconciliation disputes it (the
				// lines do not add up to it).
				if err != nil || st.Total != -351 {
					t.Fatalf("negative total: %v, %v", st, err)
				}
				return
			}
			if app.ErrorCode(err) != app.EINVALID || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v; want invalid, %q", err, c.want)
			}
		})
	}
}

func TestSettlementRoundTripAndRefusals(t *testing.T) {
	s := &app.Settlement{URI: "https://a.example/settlements/2026-11/b.example", Month: "2026-11", Currency: "EUR", Net: -110, Reference: "SEPA-1",
		CreatedAt: time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)}
	raw, _ := json.Marshal(SettlementDocument(s, "https://a.example/actor", "https://b.example/actor"))
	got, err := ParseSettlement(raw)
	if err != nil {
		t.Fatal(err)
	}
	// Net −110: the peer paid this instance 1.10.
	if got.Payer != "https://b.example/actor" || got.Payee != "https://a.example/actor" || got.Amount.Minor != 110 || got.Reference != "SEPA-1" {
		t.Fatalf("parsed %+v", got)
	}
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	m["amount"] = "-1.10"
	bad, _ := json.Marshal(m)
	if _, err := ParseSettlement(bad); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a negative amount: %v; want invalid", err)
	}
	delete(m, "reference")
	m["amount"] = "1.10"
	bad, _ = json.Marshal(m)
	if _, err := ParseSettlement(bad); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("no reference: %v; want invalid", err)
	}
}

// FuzzParseStatement: any input gives a statement or an error, never a
// panic; what parses has lines whose amounts add up to what they say and
// survives a round trip.
func FuzzParseStatement(f *testing.F) {
	raw, _ := json.Marshal(StatementDocument(sampleStatement(), "https://a.example/actor", "https://b.example/actor"))
	f.Add(raw)
	f.Add([]byte(`{"type":"Statement","id":"https://a/s","attributedTo":"https://a/actor","month":"2026-11","currency":"JPY","total":"5","lines":[{"like":"l","thing":"t","amount":"5"}]}`))
	f.Add([]byte(`{"type":["Statement"],"id":"http://x","attributedTo":{"id":"https://a/actor"},"month":"2026-13","currency":"EUR","total":"1"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, by, err := ParseStatement(data)
		if err != nil {
			if app.ErrorCode(err) != app.EINVALID {
				t.Fatalf("error of code %s: %v", app.ErrorCode(err), err)
			}
			return
		}
		if by == "" || st.URI == "" || int64(len(st.Lines)) != st.LineCount {
			t.Fatalf("parsed a statement without its parts: %+v", st)
		}
		again, _, err := ParseStatement(mustJSON(t, StatementDocument(st, by, "https://b.example/actor")))
		if err != nil || again.Total != st.Total || len(again.Lines) != len(st.Lines) {
			t.Fatalf("round trip of %+v: %+v, %v", st, again, err)
		}
	})
}

// FuzzParseSettlement and claims: no panics, only invalid errors.
func FuzzParseSettlement(f *testing.F) {
	s := &app.Settlement{URI: "https://a.example/settlements/2026-11/b.example", Month: "2026-11", Currency: "EUR", Net: 50, Reference: "R"}
	f.Add(mustJSON(f, SettlementDocument(s, "https://a.example/actor", "https://b.example/actor")))
	f.Add(mustJSON(f, ClaimDocument(&app.Claim{ActorURI: "https://b.example/users/a", Subject: "https://m.example/users/a"}, "https://b.example/claims/1", "https://b.example/actor", "https://a.example/actor", time.Now())))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := ParseSettlement(data); err != nil && app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("settlement: error of code %s: %v", app.ErrorCode(err), err)
		}
		if _, _, err := ParseClaim(data); err != nil && app.ErrorCode(err) != app.EINVALID {
			t.Fatalf("claim: error of code %s: %v", app.ErrorCode(err), err)
		}
	})
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
