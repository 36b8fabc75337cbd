// Package settlement speaks Plaudit's settlement protocol between
// instances (docs/federation.md, "Statements and settlements"): a monthly
// Statement offered by one instance actor to another's in an Offer,
// answered by Accept or Reject (with the failing lines), and the Settlement
// that records the transfer of the net, each signed with an object
// integrity proof (FEP-8b32) besides the HTTP signature of its delivery.
package settlement

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// Types of Plaudit's settlement objects.
const (
	TypeStatement  = "Statement"
	TypeSettlement = "Settlement"
)

// DataIntegrityContext is the context of FEP-8b32 proofs.
const DataIntegrityContext = "https://w3id.org/security/data-integrity/v1"

// Context is the @context of statements and settlements: ActivityStreams,
// Plaudit's terms defined inline, and the data integrity context of their
// proofs.
func Context() []any {
	ns := as2.PlauditNamespace
	id := func(term string) map[string]any { return map[string]any{"@id": "plaudit:" + term, "@type": "@id"} }
	return []any{
		as2.ActivityStreamsContext,
		map[string]any{
			"plaudit":    ns,
			"Statement":  "plaudit:Statement",
			"Settlement": "plaudit:Settlement",
			"month":      map[string]any{"@id": "plaudit:month", "@type": "http://www.w3.org/2001/XMLSchema#gYearMonth"},
			"currency":   "plaudit:currency",
			"total":      "plaudit:total",
			"amount":     "plaudit:amount",
			"lineCount":  "plaudit:lineCount",
			"lines":      map[string]any{"@id": "plaudit:lines", "@container": "@list"},
			"like":       id("like"),
			"thing":      id("thing"),
			"supersedes": id("supersedes"),
			"payer":      id("payer"),
			"payee":      id("payee"),
			"reference":  "plaudit:reference",
			"statements": id("statements"),
			"disputes":   map[string]any{"@id": "plaudit:disputes", "@container": "@list"},
			"line":       "plaudit:line",
			"reason":     "plaudit:reason",
			"Claim":      "plaudit:Claim",
			"claimant":   id("claimant"),
			"subject":    id("subject"),
		},
		DataIntegrityContext,
	}
}

// decimal writes minor units as the currency's decimal amount.
func decimal(minor int64, currency string) string {
	return app.Money{Minor: minor, Currency: currency}.Decimal()
}

// StatementDocument is st as this instance publishes it, unsigned: from
// its instance actor (from) to the peer's (to).
func StatementDocument(st *app.Statement, from, to string) map[string]any {
	lines := make([]any, len(st.Lines))
	for i, l := range st.Lines {
		line := map[string]any{"like": l.LikeURI, "thing": l.ThingURI, "amount": decimal(l.Amount, st.Currency)}
		if l.Claimant != "" {
			line["claimant"] = l.Claimant
		}
		lines[i] = line
	}
	doc := map[string]any{
		"@context":     Context(),
		"id":           st.URI,
		"type":         TypeStatement,
		"attributedTo": from,
		"to":           []any{to},
		"month":        st.Month,
		"currency":     st.Currency,
		"total":        decimal(st.Total, st.Currency),
		"lineCount":    len(st.Lines),
		"lines":        lines,
		"published":    st.CreatedAt.UTC().Format(time.RFC3339),
	}
	if st.Supersedes != "" {
		doc["supersedes"] = st.Supersedes
	}
	return doc
}

// statementJSON is a statement as read; amounts stay text until the
// currency is known.
type statementJSON struct {
	ID           string          `json:"id"`
	Type         json.RawMessage `json:"type"`
	AttributedTo json.RawMessage `json:"attributedTo"`
	Month        string          `json:"month"`
	Currency     string          `json:"currency"`
	Total        string          `json:"total"`
	LineCount    *int64          `json:"lineCount"`
	Supersedes   string          `json:"supersedes"`
	Lines        []struct {
		Like     string `json:"like"`
		Thing    string `json:"thing"`
		Amount   string `json:"amount"`
		Claimant string `json:"claimant"`
	} `json:"lines"`
}

// ParseStatement reads a statement document. Its amounts are read in its
// own currency (more decimals than the currency has is an error, as is a
// currency ISO 4217 does not know); whether the lines add up, and whether
// the currency is the receiver's, is reconciliation's to judge. It
// returns the statement and the actor it is attributed to.
func ParseStatement(raw []byte) (*app.Statement, string, error) {
	var j statementJSON
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&j); err != nil {
		return nil, "", app.Errorf(app.EINVALID, "the statement is not a JSON object: %v", err)
	}
	if !hasType(j.Type, TypeStatement) {
		return nil, "", app.Errorf(app.EINVALID, "the object is not a %s", TypeStatement)
	}
	by := idOf(j.AttributedTo)
	switch {
	case j.ID == "" || !strings.HasPrefix(j.ID, "http"):
		return nil, "", app.Errorf(app.EINVALID, "the statement has no id")
	case by == "":
		return nil, "", app.Errorf(app.EINVALID, "statement %s names no attributedTo", j.ID)
	}
	if _, err := app.ParseMonth(j.Month); err != nil {
		return nil, "", app.Errorf(app.EINVALID, "statement %s: %v", j.ID, err)
	}
	total, err := app.ParseMoney(j.Total, j.Currency)
	if err != nil {
		return nil, "", app.Errorf(app.EINVALID, "statement %s: total: %v", j.ID, err)
	}
	if j.LineCount != nil && *j.LineCount != int64(len(j.Lines)) {
		return nil, "", app.Errorf(app.EINVALID, "statement %s says it has %d lines but has %d", j.ID, *j.LineCount, len(j.Lines))
	}
	st := &app.Statement{URI: j.ID, Month: j.Month, Currency: total.Currency, Total: total.Minor, Supersedes: j.Supersedes,
		Lines: make([]app.StatementLine, len(j.Lines)), Document: raw}
	for i, l := range j.Lines {
		if l.Like == "" || l.Thing == "" {
			return nil, "", app.Errorf(app.EINVALID, "statement %s: line %d needs a like and a thing", j.ID, i)
		}
		a, err := app.ParseMoney(l.Amount, total.Currency)
		if err != nil {
			return nil, "", app.Errorf(app.EINVALID, "statement %s: line %d: %v", j.ID, i, err)
		}
		st.Lines[i] = app.StatementLine{LikeURI: l.Like, ThingURI: l.Thing, Amount: a.Minor, Claimant: l.Claimant}
	}
	st.LineCount = int64(len(st.Lines))
	return st, by, nil
}

// SettlementDocument is s as this instance publishes it, unsigned: the
// payer and payee instance actors, the amount that moved and the
// reference of the transfer.
func SettlementDocument(s *app.Settlement, me, peer string) map[string]any {
	payer, payee, amount := me, peer, s.Net
	if s.Net < 0 {
		payer, payee, amount = peer, me, -s.Net
	}
	return map[string]any{
		"@context":     Context(),
		"id":           s.URI,
		"type":         TypeSettlement,
		"attributedTo": me,
		"to":           []any{peer},
		"month":        s.Month,
		"currency":     s.Currency,
		"amount":       decimal(amount, s.Currency),
		"payer":        payer,
		"payee":        payee,
		"reference":    s.Reference,
		"published":    s.CreatedAt.UTC().Format(time.RFC3339),
	}
}

type settlementJSON struct {
	ID           string          `json:"id"`
	Type         json.RawMessage `json:"type"`
	AttributedTo json.RawMessage `json:"attributedTo"`
	Month        string          `json:"month"`
	Currency     string          `json:"currency"`
	Amount       string          `json:"amount"`
	Payer        json.RawMessage `json:"payer"`
	Payee        json.RawMessage `json:"payee"`
	Reference    string          `json:"reference"`
}

// Settlement is a settlement document as read.
type Settlement struct {
	URI, By, Month, Payer, Payee, Reference string
	Amount                                  app.Money
}

// ParseSettlement reads a settlement document.
func ParseSettlement(raw []byte) (*Settlement, error) {
	var j settlementJSON
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, app.Errorf(app.EINVALID, "the settlement is not a JSON object: %v", err)
	}
	if !hasType(j.Type, TypeSettlement) {
		return nil, app.Errorf(app.EINVALID, "the object is not a %s", TypeSettlement)
	}
	s := &Settlement{URI: j.ID, By: idOf(j.AttributedTo), Month: j.Month, Payer: idOf(j.Payer), Payee: idOf(j.Payee), Reference: j.Reference}
	if s.URI == "" || s.By == "" || s.Payer == "" || s.Payee == "" || s.Reference == "" {
		return nil, app.Errorf(app.EINVALID, "a settlement needs an id, attributedTo, payer, payee and reference")
	}
	if _, err := app.ParseMonth(j.Month); err != nil {
		return nil, app.Errorf(app.EINVALID, "settlement %s: %v", j.ID, err)
	}
	a, err := app.ParseMoney(j.Amount, j.Currency)
	if err != nil {
		return nil, app.Errorf(app.EINVALID, "settlement %s: amount: %v", j.ID, err)
	}
	if a.Minor < 0 {
		return nil, app.Errorf(app.EINVALID, "settlement %s: a negative amount; payer and payee say who pays", j.ID)
	}
	s.Amount = a
	return s, nil
}

func hasType(raw json.RawMessage, want string) bool {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return false
	}
	for _, t := range as2.TypesOf(map[string]any{"type": v}) {
		if t == want || t == "plaudit:"+want || t == as2.PlauditNamespace+want {
			return true
		}
	}
	return false
}

func idOf(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return as2.IDOf(v)
}

// disputesOf reads a Reject's disputes.
func disputesOf(v any) []app.Dispute {
	list, _ := v.([]any)
	out := make([]app.Dispute, 0, len(list))
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		d := app.Dispute{Line: -1, LikeURI: as2.IDOf(m["like"]), Reason: as2.StringOf(m["reason"])}
		if n, ok := m["line"].(float64); ok && n >= 0 && n == float64(int(n)) {
			d.Line = int(n)
		}
		out = append(out, d)
	}
	return out
}

func disputesJSON(ds []app.Dispute) []any {
	out := make([]any, len(ds))
	for i, d := range ds {
		m := map[string]any{"line": d.Line, "reason": d.Reason}
		if d.LikeURI != "" {
			m["like"] = d.LikeURI
		}
		out[i] = m
	}
	return out
}

func summaryOf(ds []app.Dispute) string {
	var b strings.Builder
	for i, d := range ds {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(ds)-5)
			break
		}
		if i > 0 {
			b.WriteString("; ")
		}
		if d.Line >= 0 {
			fmt.Fprintf(&b, "line %d: ", d.Line)
		}
		b.WriteString(d.Reason)
	}
	return b.String()
}

// TypeClaim is a claim notice: a creator on the sending server claimed an
// account on a third server.
const TypeClaim = "Claim"

// ClaimDocument is a verified claim made here, as told to peers.
func ClaimDocument(c *app.Claim, id, me string, to string, at time.Time) map[string]any {
	return map[string]any{
		"@context":     Context(),
		"id":           id,
		"type":         TypeClaim,
		"attributedTo": me,
		"to":           []any{to},
		"claimant":     c.ActorURI,
		"subject":      c.Subject,
		"published":    at.UTC().Format(time.RFC3339),
	}
}

// ParseClaim reads a claim notice.
func ParseClaim(raw []byte) (*app.PeerClaim, string, error) {
	var j struct {
		ID           string          `json:"id"`
		Type         json.RawMessage `json:"type"`
		AttributedTo json.RawMessage `json:"attributedTo"`
		Claimant     json.RawMessage `json:"claimant"`
		Subject      json.RawMessage `json:"subject"`
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return nil, "", app.Errorf(app.EINVALID, "the claim is not a JSON object: %v", err)
	}
	if !hasType(j.Type, TypeClaim) {
		return nil, "", app.Errorf(app.EINVALID, "the object is not a %s", TypeClaim)
	}
	c := &app.PeerClaim{URI: j.ID, Claimant: idOf(j.Claimant), Subject: idOf(j.Subject)}
	if c.URI == "" || c.Claimant == "" || c.Subject == "" {
		return nil, "", app.Errorf(app.EINVALID, "a claim needs an id, a claimant and a subject")
	}
	return c, idOf(j.AttributedTo), nil
}
