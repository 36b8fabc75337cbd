package instance_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	fedsettlement "github.com/plaudit/plaudit/federation/settlement"
)

func (n *node) ledger() *ledger.Service {
	n.t.Helper()
	st := n.inst.TestStore()
	l, err := ledger.New(st.Database, st.Ledger, "EUR")
	if err != nil {
		n.t.Fatal(err)
	}
	return l
}

func (n *node) credit(username string, minor int64) {
	n.t.Helper()
	if _, err := n.ledger().Post(context.Background(), &app.Transaction{Key: "topup:" + username, Kind: "topup", Currency: "EUR", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -minor},
		{Account: app.Account{Kind: app.AccountWallet, Key: n.actor(username)}, Amount: minor},
	}}); err != nil {
		n.t.Fatal(err)
	}
}

func (n *node) balance(kind, key string) int64 {
	n.t.Helper()
	m, err := n.ledger().Balance(context.Background(), app.Account{Kind: kind, Key: key})
	if err != nil {
		n.t.Fatal(err)
	}
	return m.Minor
}

func (n *node) checkLedger() {
	n.t.Helper()
	r, err := n.ledger().Check(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		n.t.Fatalf("%s: ledger check: %v", n.name, r.Violations)
	}
}

func (n *node) statementState(direction, peer string) string {
	n.t.Helper()
	sts, err := n.inst.Settlement().Statements(context.Background(), direction, peer, "")
	if err != nil {
		n.t.Fatal(err)
	}
	if len(sts) == 0 {
		return ""
	}
	return sts[0].State
}

func (n *node) closeAndSend(month string) {
	n.t.Helper()
	if err := n.inst.TestCloseMonth(context.Background(), month); err != nil {
		n.t.Fatalf("%s: close %s: %v", n.name, month, err)
	}
}

func (n *node) sendStatements(month string) {
	n.t.Helper()
	if err := n.inst.TestSendStatements(context.Background(), month); err != nil {
		n.t.Fatalf("%s: statements of %s: %v", n.name, month, err)
	}
}

func TestSettlementBetweenThreeInstances(t *testing.T) {
	ctx := context.Background()
	a, b, c := startNode(t, "A"), startNode(t, "B"), startNode(t, "C")
	// A offers its statements by id (as it does past 512 KiB): B and C
	// fetch them with a signed GET.
	a.embedLimit = 1
	a.stop()
	a.restart()
	annToken, alfToken := a.user("ann"), a.user("alf")
	bobToken, beaToken := b.user("bob"), b.user("bea")
	cydToken := c.user("cyd")
	alfNote := a.publishNote("alf", alfToken, "alf's")
	bobNote := b.publishNote("bob", bobToken, "bob's")
	cydNote := c.publishNote("cyd", cydToken, "cyd's")
	month := app.MonthOf(time.Now())
	a.credit("ann", 1000)
	b.credit("bea", 500)

	var f flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": bobNote, "weight": 3, "tip": "1.00"}, http.StatusCreated, &f)
	bobLike := f.URI
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": cydNote, "weight": 1}, http.StatusCreated, &f)
	cydLike := f.URI
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", beaToken, map[string]any{"url": alfNote, "weight": 1}, http.StatusCreated, &f)
	alfLike := f.URI
	eventually(t, "the flattrs on B, C and A", func() bool {
		return b.incomingFlattr(bobLike) != nil && c.incomingFlattr(cydLike) != nil && a.incomingFlattr(alfLike) != nil
	})

	for _, n := range []*node{a, b, c} {
		n.closeAndSend(month)
	}
	// ann's 2.00 split 3:1, her 1.00 tip on bob's note: 2.50 owed to B,
	// 0.50 to C; bea's 2.00 owed to A.
	if p := a.balance(app.AccountPayable, b.addr); p != 250 {
		t.Fatalf("A owes B %d after the close; want 250", p)
	}
	if p := a.balance(app.AccountPayable, c.addr); p != 50 {
		t.Fatalf("A owes C %d after the close; want 50", p)
	}
	if p := b.balance(app.AccountPayable, a.addr); p != 200 {
		t.Fatalf("B owes A %d after the close; want 200", p)
	}
	for _, n := range []*node{a, b, c} {
		n.sendStatements(month)
	}
	eventually(t, "every statement accepted", func() bool {
		return a.statementState(app.StatementOut, b.addr) == app.StatementAccepted &&
			a.statementState(app.StatementOut, c.addr) == app.StatementAccepted &&
			b.statementState(app.StatementOut, a.addr) == app.StatementAccepted
	})
	if got := b.balance(app.AccountCreatorPending, app.PendingKey(a.addr, b.actor("bob"))); got != 250 {
		t.Fatalf("bob's pending from A is %d; want 250", got)
	}
	// A's statement to B is B's to read, signed; nobody else's.
	toB := a.inst.Settlement().Statements
	sts, err := toB(ctx, app.StatementOut, b.addr, month)
	if err != nil || len(sts) != 1 {
		t.Fatalf("A's statements to B: %v, %v", sts, err)
	}
	if resp, err := b.inst.TestClient().Get(ctx, sts[0].URI, "application/activity+json"); err != nil || !strings.Contains(string(resp.Body), `"proof"`) {
		t.Fatalf("B's signed GET of the statement: %v", err)
	}
	if _, err := c.inst.TestClient().Get(ctx, sts[0].URI, "application/activity+json"); err == nil {
		t.Fatal("C read A's statement to B")
	}
	if resp, err := http.Get(sts[0].URI); err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("an unsigned GET of the statement: %v, %v; want 401", resp, err)
	}
	if got := b.balance(app.AccountCreator, b.actor("bob")); got != 0 {
		t.Fatalf("bob's balance is %d before the settlement", got)
	}

	// Netting: one amount per pair. A owes B 2.50 − 2.00, C 0.50.
	ns, err := a.inst.Settlement().Nettings(ctx, "", month)
	if err != nil {
		t.Fatal(err)
	}
	nets := map[string]int64{}
	for _, n := range ns {
		nets[n.PeerHost] = n.Net
	}
	if len(ns) != 2 || nets[b.addr] != 50 || nets[c.addr] != 50 {
		t.Fatalf("A's nettings %+v; want B 50, C 50", ns)
	}
	eur := func(m int64) app.Money { return app.Money{Minor: m, Currency: "EUR"} }
	if _, err := a.inst.Settlement().Confirm(ctx, b.addr, month, eur(40), "SEPA-1"); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("confirming 0.40 for a net of 0.50: %v; want invalid", err)
	}
	if got := b.balance(app.AccountCreator, b.actor("bob")); got != 0 {
		t.Fatalf("a refused confirm moved %d to bob", got)
	}
	if _, err := a.inst.Settlement().Confirm(ctx, b.addr, month, eur(50), "SEPA-1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B records the settlement", func() bool { return b.balance(app.AccountCreator, b.actor("bob")) == 250 })
	if got := b.balance(app.AccountCreatorPending, app.PendingKey(a.addr, b.actor("bob"))); got != 0 {
		t.Fatalf("bob still has %d pending from A", got)
	}
	for _, n := range []*node{a, b} {
		other := b
		if n == b {
			other = a
		}
		if p, r := n.balance(app.AccountPayable, other.addr), n.balance(app.AccountReceivable, other.addr); p != 0 || r != 0 {
			t.Fatalf("%s: payable %d, receivable %d with %s after the settlement", n.name, p, r, other.name)
		}
	}
	// C is not settled yet: cyd's money waits.
	if p, bal := c.balance(app.AccountCreatorPending, app.PendingKey(a.addr, c.actor("cyd"))), c.balance(app.AccountCreator, c.actor("cyd")); p != 50 || bal != 0 {
		t.Fatalf("cyd: pending %d, balance %d; want 50, 0", p, bal)
	}
	for _, n := range []*node{a, b, c} {
		n.checkLedger()
	}
}

// craftedOffer publishes, from A's actor as, an Offer of doc (signed, then
// edited by tamper) to B's instance actor, and waits for B to refuse it.
func craftedOffer(t *testing.T, a, b *node, as string, doc map[string]any, sign bool, tamper func(map[string]any)) {
	t.Helper()
	ctx := context.Background()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if sign {
		if raw, err = a.inst.TestKeys().SignAsInstance(ctx, raw, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
	}
	var signed map[string]any
	if err := json.Unmarshal(raw, &signed); err != nil {
		t.Fatal(err)
	}
	tamper(signed)
	id := fmt.Sprintf("%s/activities/crafted-%d", a.base(), time.Now().UnixNano())
	offer := map[string]any{"@context": fedsettlement.Context(), "id": id, "type": "Offer", "actor": as,
		"to": []any{b.base() + "/actor"}, "object": signed}
	if _, err := a.inst.TestPublisher().Publish(ctx, as, offer, []string{b.base() + "/actor"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "B refuses the crafted Offer", func() bool {
		return b.count("SELECT COUNT(*) FROM activities WHERE uri = ? AND state = ?", id, app.ActivityFailed) == 1
	})
}

func TestTamperedStatementsAreRefused(t *testing.T) {
	ctx := context.Background()
	a, b := startNode(t, "A"), startNode(t, "B")
	annToken, bobToken := a.user("ann"), b.user("bob")
	bobNote := b.publishNote("bob", bobToken, "bob's")
	month := app.MonthOf(time.Now())
	a.credit("ann", 1000)
	var f flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": bobNote, "weight": 1}, http.StatusCreated, &f)
	eventually(t, "the flattr on B", func() bool { return b.incomingFlattr(f.URI) != nil })
	b.closeAndSend(month)
	a.closeAndSend(month)
	// B learns of A as a peer (as it would on the first statement).
	if err := b.inst.Settlement().Discover(ctx, []string{a.base() + "/actor"}); err != nil {
		t.Fatal(err)
	}

	statement := func(amount string) map[string]any {
		return map[string]any{
			"@context": fedsettlement.Context(), "id": fmt.Sprintf("%s/statements/%s/%s/%d", a.base(), month, b.addr, time.Now().UnixNano()),
			"type": "Statement", "attributedTo": a.base() + "/actor", "to": []any{b.base() + "/actor"},
			"month": month, "currency": "EUR", "total": amount, "lineCount": 1,
			"lines": []any{map[string]any{"like": f.URI, "thing": bobNote, "amount": amount}},
		}
	}
	instanceActor := a.base() + "/actor"
	cases := []struct {
		name   string
		as     string
		sign   bool
		tamper func(map[string]any)
	}{
		{"changed amount", instanceActor, true, func(d map[string]any) {
			d["total"] = "5.00"
			d["lines"].([]any)[0].(map[string]any)["amount"] = "5.00"
		}},
		{"extra line", instanceActor, true, func(d map[string]any) {
			d["lines"] = append(d["lines"].([]any), map[string]any{"like": f.URI + "x", "thing": bobNote, "amount": "1.00"})
		}},
		{"unsigned", instanceActor, false, func(map[string]any) {}},
		{"wrong proof", instanceActor, true, func(d map[string]any) {
			p := d["proof"].(map[string]any)
			v := []byte(p["proofValue"].(string))
			v[5] ^= 1
			p["proofValue"] = string(v)
		}},
		{"signed by a user", a.actor("ann"), true, func(d map[string]any) { d["attributedTo"] = a.actor("ann") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			craftedOffer(t, a, b, tc.as, statement("2.00"), tc.sign, tc.tamper)
			if n := b.count("SELECT COUNT(*) FROM statements"); n != 0 {
				t.Fatalf("B stored %d statements", n)
			}
			if r := b.balance(app.AccountReceivable, a.addr); r != 0 {
				t.Fatalf("B wrote %d receivable from A", r)
			}
		})
	}
	// The untampered statement is accepted: the refusals were the tampering's.
	craftedOK := statement("2.00")
	raw, _ := json.Marshal(craftedOK)
	if raw, err := a.inst.TestKeys().SignAsInstance(ctx, raw, time.Now().UTC()); err != nil {
		t.Fatal(err)
	} else {
		var signed map[string]any
		_ = json.Unmarshal(raw, &signed)
		offer := map[string]any{"@context": fedsettlement.Context(), "id": a.base() + "/activities/crafted-ok", "type": "Offer", "actor": instanceActor,
			"to": []any{b.base() + "/actor"}, "object": signed}
		if _, err := a.inst.TestPublisher().Publish(ctx, instanceActor, offer, []string{b.base() + "/actor"}); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "B accepts the untampered statement", func() bool {
		return b.statementState(app.StatementIn, a.addr) == app.StatementAccepted
	})
	if !strings.HasPrefix(f.URI, a.base()) {
		t.Fatalf("the Like %s is not A's", f.URI)
	}
	b.checkLedger()
}

// TestDisputedStatementIsCorrected: B never saw the Undo-free state A
// has for one Like (B recorded it undone), so it disputes that line; A
// corrects the statement, the refused line's money goes back to its
// funder, and B accepts the new version.
func TestDisputedStatementIsCorrected(t *testing.T) {
	ctx := context.Background()
	a, b := startNode(t, "A"), startNode(t, "B")
	annToken, bobToken := a.user("ann"), b.user("bob")
	one, two := b.publishNote("bob", bobToken, "one"), b.publishNote("bob", bobToken, "two")
	month := app.MonthOf(time.Now())
	a.credit("ann", 1000)
	var f1, f2 flattrOut
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": one, "weight": 1}, http.StatusCreated, &f1)
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": two, "weight": 3}, http.StatusCreated, &f2)
	eventually(t, "the flattrs on B", func() bool { return b.incomingFlattr(f1.URI) != nil && b.incomingFlattr(f2.URI) != nil })
	if err := b.inst.TestStore().DB().Exec("UPDATE flattrs SET state = 'undone' WHERE activity_uri = ?", f2.URI).Error; err != nil {
		t.Fatal(err)
	}
	b.closeAndSend(month)
	a.closeAndSend(month)
	a.sendStatements(month)
	eventually(t, "B disputes A's statement", func() bool { return a.statementState(app.StatementOut, b.addr) == app.StatementDisputed })
	if w := a.balance(app.AccountWallet, a.actor("ann")); w != 800 {
		t.Fatalf("ann's wallet %d after the close; want 800", w)
	}
	st, err := a.inst.Settlement().Correct(ctx, b.addr, month)
	if err != nil || st == nil || len(st.Lines) != 1 || st.Total != 50 || st.Version != 2 {
		t.Fatalf("correction %+v, %v; want version 2 with the 0.50 line", st, err)
	}
	// The refused 1.50 of the weight-3 flattr is ann's again.
	if w, p := a.balance(app.AccountWallet, a.actor("ann")), a.balance(app.AccountPayable, b.addr); w != 950 || p != 50 {
		t.Fatalf("after the correction: ann's wallet %d, owed to B %d; want 950, 50", w, p)
	}
	defer func() {
		if t.Failed() {
			var rows []struct{ URI, State, Error string }
			b.inst.TestStore().DB().Raw("SELECT uri, state, error FROM activities WHERE type = 'Offer'").Scan(&rows)
			t.Logf("B's Offers: %+v", rows)
		}
	}()
	eventually(t, "B accepts the corrected statement", func() bool { return a.statementState(app.StatementOut, b.addr) == app.StatementAccepted })
	ins, err := b.inst.Settlement().Statements(ctx, app.StatementIn, a.addr, month)
	if err != nil || len(ins) != 2 || ins[0].State != app.StatementAccepted || ins[1].State != app.StatementSuperseded {
		t.Fatalf("B's statements from A: %+v, %v; want the new one accepted, the old superseded", ins, err)
	}
	if p := b.balance(app.AccountCreatorPending, app.PendingKey(a.addr, b.actor("bob"))); p != 50 {
		t.Fatalf("bob's pending %d; want 50", p)
	}
	if _, err := a.inst.Settlement().Correct(ctx, b.addr, month); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("correcting an accepted statement: %v; want invalid", err)
	}
	a.checkLedger()
	b.checkLedger()
}
