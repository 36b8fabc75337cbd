package instance_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/federation/dereference/dereftest"
)

// TestEscrowForAMastodonAuthor: a flattr of a Mastodon post waits in
// escrow for its author, who is told once; when the author claims the
// account here (the claim checked again), the money becomes theirs.
func TestEscrowForAMastodonAuthor(t *testing.T) {
	ctx := context.Background()
	b := startNodeWith(t, "B", func(c *configs.Config) { c.Money.EscrowNotice = "1.00" })
	m := newMastodon(t)
	carolToken := b.user("carol")
	b.credit("carol", 1000)
	var f flattrOut
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": m.note, "weight": 1}, http.StatusCreated, &f)
	month := app.MonthOf(time.Now())
	b.closeAndSend(month)
	if held := b.balance(app.AccountEscrow, m.actor); held != 200 {
		t.Fatalf("escrow for the Mastodon author holds %d; want 200", held)
	}

	escrow := b.inst.TestMoney().Escrow
	told, err := escrow.Notify(ctx)
	if err != nil || told != 1 {
		t.Fatalf("notify: %d told, %v; want 1", told, err)
	}
	notices := "SELECT COUNT(*) FROM activities WHERE type = 'Create' AND actor_uri = ? AND document LIKE ? AND document LIKE ?"
	if n := b.count(notices, b.base()+"/actor", "%"+m.actor+"%", "%2.00 EUR waits for you%"); n != 1 {
		t.Fatalf("%d notices to the author; want 1", n)
	}
	eventually(t, "the notice delivered to the author's inbox", func() bool {
		return b.count("SELECT COUNT(*) FROM deliveries d JOIN activities a ON a.id = d.activity_id WHERE a.type = 'Create' AND a.actor_uri = ? AND d.state = 'delivered'", b.base()+"/actor") == 1
	})
	if told, err := escrow.Notify(ctx); err != nil || told != 0 {
		t.Fatalf("a second notify: %d told, %v; want none (one a month)", told, err)
	}
	// Releasing before any claim does nothing.
	if n, err := escrow.Release(ctx); err != nil || n != 0 {
		t.Fatalf("release without a claim: %d, %v", n, err)
	}

	// alicia signs up and claims the Mastodon account; it links back.
	aliciaToken := b.user("alicia")
	var claim struct {
		ID    int64  `json:"id"`
		State string `json:"state"`
	}
	b.apiJSON(http.MethodPost, "/api/v1/claims", aliciaToken, map[string]string{"url": m.actor}, http.StatusCreated, &claim)
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", map[string]string{"https://mastodon.example": m.URL}), m.keyID, m.actor, dereftest.Key("alice"))
	m.Serve("/users/alice", dereftest.Edit(t, doc, func(d map[string]any) { d["alsoKnownAs"] = []any{b.actor("alicia")} }))
	b.apiJSON(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), aliciaToken, nil, http.StatusOK, &claim)
	if claim.State != app.ClaimVerified {
		t.Fatalf("claim state %s; want verified", claim.State)
	}
	n, err := escrow.Release(ctx)
	if err != nil || n != 1 {
		t.Fatalf("release: %d debts, %v; want 1", n, err)
	}
	if got, held := b.balance(app.AccountCreator, b.actor("alicia")), b.balance(app.AccountEscrow, m.actor); got != 200 || held != 0 {
		t.Fatalf("alicia has %d, escrow %d; want 200, 0", got, held)
	}
	if n, err := escrow.Release(ctx); err != nil || n != 0 {
		t.Fatalf("a second release: %d, %v; want nothing", n, err)
	}
	b.checkLedger()
}

// TestEscrowReleaseChecksTheClaimAgain: a claim whose other side no longer
// links back releases nothing.
func TestEscrowReleaseChecksTheClaimAgain(t *testing.T) {
	ctx := context.Background()
	b := startNode(t, "B")
	m := newMastodon(t)
	carolToken, aliciaToken := b.user("carol"), b.user("alicia")
	b.credit("carol", 1000)
	b.apiJSON(http.MethodPost, "/api/v1/flattrs", carolToken, map[string]any{"url": m.note, "weight": 1}, http.StatusCreated, nil)
	b.closeAndSend(app.MonthOf(time.Now()))
	var claim struct {
		ID int64 `json:"id"`
	}
	b.apiJSON(http.MethodPost, "/api/v1/claims", aliciaToken, map[string]string{"url": m.actor}, http.StatusCreated, &claim)
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", map[string]string{"https://mastodon.example": m.URL}), m.keyID, m.actor, dereftest.Key("alice"))
	m.Serve("/users/alice", dereftest.Edit(t, doc, func(d map[string]any) { d["alsoKnownAs"] = []any{b.actor("alicia")} }))
	b.apiJSON(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), aliciaToken, nil, http.StatusOK, nil)
	m.Serve("/users/alice", doc) // the link is gone again
	if n, err := b.inst.TestMoney().Escrow.Release(ctx); err != nil || n != 0 {
		t.Fatalf("release after the link went: %d, %v; want nothing", n, err)
	}
	if held := b.balance(app.AccountEscrow, m.actor); held != 200 {
		t.Fatalf("escrow holds %d; want 200 still", held)
	}
}

// TestEscrowTravelsToThePeerWhereTheAuthorClaims: A holds escrow for a
// Mastodon author, who joins B and claims the account there; B tells A in
// a signed notice, A checks both actors and owes the escrow to B, and it
// travels in A's statement to B, credited to the claimant.
func TestEscrowTravelsToThePeerWhereTheAuthorClaims(t *testing.T) {
	ctx := context.Background()
	a, b := startNode(t, "A"), startNode(t, "B")
	m := newMastodon(t)
	annToken := a.user("ann")
	a.credit("ann", 1000)
	a.apiJSON(http.MethodPost, "/api/v1/flattrs", annToken, map[string]any{"url": m.note, "weight": 1}, http.StatusCreated, nil)
	month := app.MonthOf(time.Now())
	a.closeAndSend(month)
	if held := a.balance(app.AccountEscrow, m.actor); held != 200 {
		t.Fatalf("A's escrow for the author holds %d; want 200", held)
	}
	b.closeAndSend(month)
	// A and B know each other as peers.
	if err := a.inst.Settlement().Discover(ctx, []string{b.base() + "/actor"}); err != nil {
		t.Fatal(err)
	}
	if err := b.inst.Settlement().Discover(ctx, []string{a.base() + "/actor"}); err != nil {
		t.Fatal(err)
	}

	aliciaToken := b.user("alicia")
	var claim struct {
		ID int64 `json:"id"`
	}
	b.apiJSON(http.MethodPost, "/api/v1/claims", aliciaToken, map[string]string{"url": m.actor}, http.StatusCreated, &claim)
	doc := dereftest.WithKey(t, dereftest.Fixture(t, "mastodon_actor.json", map[string]string{"https://mastodon.example": m.URL}), m.keyID, m.actor, dereftest.Key("alice"))
	m.Serve("/users/alice", dereftest.Edit(t, doc, func(d map[string]any) { d["alsoKnownAs"] = []any{b.actor("alicia")} }))
	b.apiJSON(http.MethodPost, fmt.Sprintf("/api/v1/claims/%d/verify", claim.ID), aliciaToken, nil, http.StatusOK, nil)

	n, err := b.inst.TestMoney().Escrow.AnnounceClaims(ctx)
	if err != nil || n != 1 {
		t.Fatalf("announce: %d notices, %v; want 1", n, err)
	}
	eventually(t, "A releases the escrow to B", func() bool { return a.balance(app.AccountEscrow, m.actor) == 0 })
	if p := a.balance(app.AccountPayable, b.addr); p != 200 {
		t.Fatalf("A owes B %d after the claim; want 200", p)
	}
	if n, err := b.inst.TestMoney().Escrow.AnnounceClaims(ctx); err != nil || n != 0 {
		t.Fatalf("a second announce: %d, %v; want none", n, err)
	}
	a.sendStatements(month)
	eventually(t, "B accepts A's statement", func() bool { return a.statementState(app.StatementOut, b.addr) == app.StatementAccepted })
	if p := b.balance(app.AccountCreatorPending, app.PendingKey(a.addr, b.actor("alicia"))); p != 200 {
		t.Fatalf("alicia's pending from A is %d; want 200", p)
	}
	if _, err := a.inst.Settlement().Confirm(ctx, b.addr, month, app.Money{Minor: 200, Currency: "EUR"}, "T-1"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "alicia's balance on B", func() bool { return b.balance(app.AccountCreator, b.actor("alicia")) == 200 })
	a.checkLedger()
	b.checkLedger()
}
