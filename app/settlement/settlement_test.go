package settlement_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
)

// The fixture is instance "b.example", which received flattrs from funders
// on peer "a.example" for things of its creators.
const (
	base  = "https://b.example"
	peerA = "a.example"
	actA  = "https://a.example/actor"
	month = "2026-11"
)

var now = time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)

type ids struct{}

func (ids) Statement(m, host string, v int) string {
	return fmt.Sprintf("%s/statements/%s/%s/%d", base, m, host, v)
}
func (ids) Settlement(m, host string) string {
	return fmt.Sprintf("%s/settlements/%s/%s", base, m, host)
}
func (ids) IsLocal(uri string) bool { return strings.HasPrefix(uri, base+"/") }
func (ids) Host() string            { return "b.example" }

// closedMonths: every month before now's is closed, none is closed "done"
// unless listed.
type closedMonths struct{ done map[string]bool }

func (closedMonths) Closed(_ context.Context, m string) (bool, error) {
	return m < app.MonthOf(now), nil
}
func (c closedMonths) CloseDone(_ context.Context, m string) (bool, error) {
	return c.done[m], nil
}

// messenger records what the service sends; its documents are the
// statement's URI (the proofs are federation's, tested there).
type messenger struct {
	answers []app.Statement
	offers  []app.Statement
	settled []app.Settlement
	fetch   func(like string) error
}

func (m *messenger) SignStatement(_ context.Context, st *app.Statement, _ *app.Peer) ([]byte, error) {
	return []byte(`{"id":"` + st.URI + `"}`), nil
}
func (m *messenger) Offer(_ context.Context, st *app.Statement, _ *app.Peer) error {
	m.offers = append(m.offers, *st)
	return nil
}
func (m *messenger) Answer(_ context.Context, st *app.Statement, _ *app.Peer) error {
	m.answers = append(m.answers, *st)
	return nil
}
func (m *messenger) SignSettlement(_ context.Context, s *app.Settlement, _ *app.Peer) ([]byte, error) {
	return []byte(`{"id":"` + s.URI + `"}`), nil
}
func (m *messenger) Settled(_ context.Context, s *app.Settlement, _ *app.Peer) error {
	m.settled = append(m.settled, *s)
	return nil
}
func (m *messenger) FetchLike(_ context.Context, like string) error {
	if m.fetch == nil {
		return app.Errorf(app.ENOTFOUND, "no such Like")
	}
	return m.fetch(like)
}

type noDirectory struct{}

func (noDirectory) Lookup(context.Context, string) (*app.Peer, error) {
	return nil, app.Errorf(app.EUNAVAILABLE, "no network in this test")
}

type fixture struct {
	st     *store.Store
	ledger *ledger.Service
	svc    *settlement.Service
	msg    *messenger
}

var (
	bob  = base + "/users/bob"
	erin = base + "/users/erin"
	solo = base + "/objects/solo" // bob's
	duo  = base + "/objects/duo"  // bob 70, erin 30
)

func like(n int) string { return fmt.Sprintf("https://a.example/activities/like-%d", n) }

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	for _, th := range []*app.Thing{
		{URI: solo, OwnerURI: bob, OwnerConfirmed: true, Kind: app.ThingNote, Host: "b.example", Local: true},
		{URI: duo, OwnerURI: bob, OwnerConfirmed: true, Kind: app.ThingNote, Host: "b.example", Local: true},
	} {
		if err := st.UpsertThing(ctx, th); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetRecipients(ctx, duo, []app.Recipient{{RecipientURI: bob, Share: 70}, {RecipientURI: erin, Share: 30}}); err != nil {
		t.Fatal(err)
	}
	// like-0..3 from two funders on a.example; like-3 is undone; like-9
	// comes from another server.
	flattrs := []app.Flattr{
		{ActivityURI: like(0), FunderURI: "https://a.example/users/ann", ThingURI: solo, State: app.FlattrActive},
		{ActivityURI: like(1), FunderURI: "https://a.example/users/ann", ThingURI: duo, State: app.FlattrActive},
		{ActivityURI: like(2), FunderURI: "https://a.example/users/cid", ThingURI: duo, State: app.FlattrActive},
		{ActivityURI: like(3), FunderURI: "https://a.example/users/cid", ThingURI: solo, State: app.FlattrUndone},
		{ActivityURI: like(9), FunderURI: "https://c.example/users/dee", ThingURI: solo, State: app.FlattrActive},
	}
	for i := range flattrs {
		f := &flattrs[i]
		f.Month, f.Weight, f.OwnerURI, f.CreatedAt, f.UpdatedAt, f.ChangedAt = month, 1, bob, now.AddDate(0, 0, -20), now, now
		if _, err := st.InsertFlattr(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SavePeer(ctx, &app.Peer{Host: peerA, InstanceActor: actA, Inbox: actA + "/inbox", Currency: "EUR", Settles: true,
		ProtocolVersion: 2, CheckedAt: now}); err != nil {
		t.Fatal(err)
	}
	msg := &messenger{}
	svc := settlement.New(settlement.Deps{Tx: st, Store: st.Settlements, Ledger: l, Months: closedMonths{}, Directory: noDirectory{},
		Messenger: msg, IDs: ids{}, Now: func() time.Time { return now }})
	return &fixture{st: st, ledger: l, svc: svc, msg: msg}
}

// statement is a statement from a.example of the given lines.
func statement(version int, lines ...app.StatementLine) *app.Statement {
	st := &app.Statement{URI: fmt.Sprintf("https://a.example/statements/%s/b.example/%d", month, version), Month: month, Version: version,
		Currency: "EUR", Lines: lines, Document: []byte(`{}`)}
	for _, l := range lines {
		st.Total += l.Amount
	}
	return st
}

func balance(t *testing.T, l *ledger.Service, kind, key string) int64 {
	t.Helper()
	m, err := l.Balance(context.Background(), app.Account{Kind: kind, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return m.Minor
}

func checkLedger(t *testing.T, l *ledger.Service) {
	t.Helper()
	r, err := l.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Violations) > 0 {
		t.Fatalf("ledger check: %v", r.Violations)
	}
}

func TestAcceptedStatementCreditsPendingByShares(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 101},
		app.StatementLine{LikeURI: like(1), ThingURI: duo, Amount: 99}, app.StatementLine{LikeURI: like(2), ThingURI: duo, Amount: 1})
	got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: st, Sender: actA})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != app.StatementAccepted || len(f.msg.answers) != 1 || f.msg.answers[0].State != app.StatementAccepted {
		t.Fatalf("state %s, answers %v; want accepted, one Accept", got.State, f.msg.answers)
	}
	// duo's 99 split 70/30 → 69.3/29.7 → bob 69, erin 30; its 1 → bob.
	if b, e := balance(t, f.ledger, app.AccountCreatorPending, app.PendingKey(peerA, bob)), balance(t, f.ledger, app.AccountCreatorPending, app.PendingKey(peerA, erin)); b != 101+69+1 || e != 30 {
		t.Fatalf("pending bob %d, erin %d; want 171, 30", b, e)
	}
	if r := balance(t, f.ledger, app.AccountReceivable, peerA); r != -201 {
		t.Fatalf("receivable from a.example %d; want -201", r)
	}
	checkLedger(t, f.ledger)
	// The same statement again: answered again, nothing written twice.
	if _, err := f.svc.Receive(ctx, settlement.Incoming{Statement: statement(1, st.Lines...), Sender: actA}); err != nil {
		t.Fatal(err)
	}
	if r := balance(t, f.ledger, app.AccountReceivable, peerA); r != -201 || len(f.msg.answers) != 2 {
		t.Fatalf("after a repeat: receivable %d, %d answers; want -201, 2", r, len(f.msg.answers))
	}
	// Another statement naming a Like paid already is disputed.
	twice, err := f.svc.Receive(ctx, settlement.Incoming{Statement: statement(2, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 101}), Sender: actA})
	if err != nil || twice.State != app.StatementDisputed || len(twice.Reasons) != 1 || !strings.Contains(twice.Reasons[0].Reason, "paid by") {
		t.Fatalf("a second statement of a paid Like: %+v, %v; want disputed", twice, err)
	}
	if r := balance(t, f.ledger, app.AccountReceivable, peerA); r != -201 {
		t.Fatalf("a Like paid twice: receivable %d", r)
	}
}

func TestDisputedStatementsWriteNothing(t *testing.T) {
	cases := []struct {
		name   string
		edit   func(st *app.Statement)
		line   int
		reason string
	}{
		{"undone Like", func(st *app.Statement) { st.Lines[0].LikeURI = like(3) }, 0, "undone"},
		{"Like never received", func(st *app.Statement) { st.Lines[0].LikeURI = like(42) }, 0, "no such Like"},
		{"Like from another server", func(st *app.Statement) { st.Lines[0].LikeURI = like(9) }, 0, "not from a.example"},
		{"unknown thing", func(st *app.Statement) {
			st.Lines[1].ThingURI = base + "/objects/nothing"
		}, 1, "is of"},
		{"total does not add up", func(st *app.Statement) { st.Total++ }, -1, "add up"},
		{"extra line", func(st *app.Statement) {
			st.Lines = append(st.Lines, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 5})
			st.Total += 5
		}, 2, "line 0 already"},
		{"wrong currency", func(st *app.Statement) { st.Currency = "USD" }, -1, "settles in EUR"},
		{"zero amount", func(st *app.Statement) { st.Total -= st.Lines[1].Amount; st.Lines[1].Amount = 0 }, 1, "not positive"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			st := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 100}, app.StatementLine{LikeURI: like(1), ThingURI: duo, Amount: 50})
			c.edit(st)
			got, err := f.svc.Receive(context.Background(), settlement.Incoming{Statement: st, Sender: actA})
			if err != nil {
				t.Fatal(err)
			}
			if got.State != app.StatementDisputed || len(f.msg.answers) != 1 {
				t.Fatalf("state %s; want disputed and answered", got.State)
			}
			found := false
			for _, d := range got.Reasons {
				if d.Line == c.line && strings.Contains(d.Reason, c.reason) {
					found = true
				}
			}
			if !found {
				t.Fatalf("reasons %+v; want line %d saying %q", got.Reasons, c.line, c.reason)
			}
			if r := balance(t, f.ledger, app.AccountReceivable, peerA); r != 0 {
				t.Fatalf("a disputed statement wrote receivable %d", r)
			}
			checkLedger(t, f.ledger)
		})
	}
}

func TestRefusedStatementsAreNotStored(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	st := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 100})
	_, err := f.svc.Receive(ctx, settlement.Incoming{Statement: st, Sender: "https://a.example/users/ann"})
	if app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a statement from a user: %v; want forbidden", err)
	}
	open := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 100})
	open.Month = app.MonthOf(now)
	if _, err := f.svc.Receive(ctx, settlement.Incoming{Statement: open, Sender: actA}); app.ErrorCode(err) != app.EINVALID || !strings.Contains(err.Error(), "not closed") {
		t.Fatalf("a statement for the running month: %v; want invalid, not closed", err)
	}
	if sts, _ := f.svc.Statements(ctx, app.StatementIn, "", ""); len(sts) != 0 || len(f.msg.answers) != 0 {
		t.Fatalf("refused statements stored %d, answered %d", len(sts), len(f.msg.answers))
	}
}

func TestMissingLikeIsFetchedFromTheSender(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.msg.fetch = func(l string) error {
		_, err := f.st.InsertFlattr(ctx, &app.Flattr{ActivityURI: l, FunderURI: "https://a.example/users/late", ThingURI: solo, OwnerURI: bob,
			Month: month, Weight: 2, State: app.FlattrActive, CreatedAt: now, UpdatedAt: now, ChangedAt: now})
		return err
	}
	got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: statement(1, app.StatementLine{LikeURI: like(7), ThingURI: solo, Amount: 40}), Sender: actA})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != app.StatementAccepted {
		t.Fatalf("state %s (%v); want accepted after fetching the Like", got.State, got.Reasons)
	}
}

func TestSupersedingAStatement(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	bad := statement(1, app.StatementLine{LikeURI: like(3), ThingURI: solo, Amount: 100}, app.StatementLine{LikeURI: like(1), ThingURI: duo, Amount: 50})
	if got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: bad, Sender: actA}); err != nil || got.State != app.StatementDisputed {
		t.Fatalf("first statement: %v, %v; want disputed", got, err)
	}
	fixed := statement(2, app.StatementLine{LikeURI: like(1), ThingURI: duo, Amount: 50})
	fixed.Supersedes = bad.URI
	if got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: fixed, Sender: actA}); err != nil || got.State != app.StatementAccepted {
		t.Fatalf("corrected statement: %+v, %v; want accepted", got, err)
	}
	old, err := f.st.Settlements.Statement(ctx, bad.URI, false)
	if err != nil || old.State != app.StatementSuperseded {
		t.Fatalf("old statement %+v, %v; want superseded", old, err)
	}
	hist, err := f.svc.History(ctx, bad.URI)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %+v, %v; want received then superseded", hist, err)
	}
	again := statement(3, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 1})
	again.Supersedes = fixed.URI
	if got, err := f.svc.Receive(ctx, settlement.Incoming{Statement: again, Sender: actA}); err != nil || got.State != app.StatementDisputed {
		t.Fatalf("superseding an accepted statement: %+v, %v; want disputed", got, err)
	}
}

func TestConfirmNetsBothWaysAndReleasesPending(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// a.example owes b.example 150 for its funders' flattrs here.
	in := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 100}, app.StatementLine{LikeURI: like(1), ThingURI: duo, Amount: 50})
	if _, err := f.svc.Receive(ctx, settlement.Incoming{Statement: in, Sender: actA}); err != nil {
		t.Fatal(err)
	}
	// b.example owes a.example 40: an accepted outgoing statement, as a
	// close's payable and the peer's Accept leave it.
	if _, err := f.ledger.Post(ctx, &app.Transaction{Key: "close:test", Kind: "close", Currency: "EUR", Postings: []app.Posting{
		{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -40},
		{Account: app.Account{Kind: app.AccountPayable, Key: peerA}, Amount: 40},
	}}); err != nil {
		t.Fatal(err)
	}
	out := &app.Statement{URI: ids{}.Statement(month, peerA, 1), Direction: app.StatementOut, PeerHost: peerA, Month: month, Version: 1,
		Currency: "EUR", Total: 40, State: app.StatementOffered, CreatedAt: now, UpdatedAt: now}
	if _, err := f.st.Settlements.InsertStatement(ctx, out, "sent"); err != nil {
		t.Fatal(err)
	}
	eur := func(m int64) app.Money { return app.Money{Minor: m, Currency: "EUR"} }
	if _, err := f.svc.Confirm(ctx, peerA, month, eur(110), "REF-1"); app.ErrorCode(err) != app.EINVALID || !strings.Contains(err.Error(), "not answered") {
		t.Fatalf("confirm with a statement open: %v; want invalid", err)
	}
	if err := f.svc.Answered(ctx, settlement.Answer{StatementURI: out.URI, By: "https://a.example/users/ann", Accepted: true}); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("an answer from a user: %v; want forbidden", err)
	}
	if err := f.svc.Answered(ctx, settlement.Answer{StatementURI: out.URI, By: actA, Accepted: true}); err != nil {
		t.Fatal(err)
	}
	ns, err := f.svc.Nettings(ctx, "", "")
	if err != nil || len(ns) != 1 || ns[0].Outgoing != 40 || ns[0].Incoming != 150 || ns[0].Net != -110 {
		t.Fatalf("nettings %+v, %v; want one: out 40, in 150, net -110", ns, err)
	}
	if _, err := f.svc.Confirm(ctx, peerA, month, eur(150), "REF-1"); app.ErrorCode(err) != app.EINVALID || !strings.Contains(err.Error(), "1.10 EUR") {
		t.Fatalf("confirm of the wrong amount: %v; want invalid naming the net", err)
	}
	if pending := balance(t, f.ledger, app.AccountCreator, bob); pending != 0 {
		t.Fatalf("bob has %d before the settlement", pending)
	}
	s, err := f.svc.Confirm(ctx, peerA, month, eur(110), "REF-1")
	if err != nil {
		t.Fatal(err)
	}
	if s.Net != -110 || len(f.msg.settled) != 1 {
		t.Fatalf("settlement %+v, %d sent; want net -110, told the peer", s, len(f.msg.settled))
	}
	for kind, want := range map[string]int64{app.AccountPayable: 0, app.AccountReceivable: 0} {
		if got := balance(t, f.ledger, kind, peerA); got != want {
			t.Fatalf("%s of a.example is %d after the settlement; want %d", kind, got, want)
		}
	}
	// bob: 100 + 35 of 50; erin 15.
	if b, e := balance(t, f.ledger, app.AccountCreator, bob), balance(t, f.ledger, app.AccountCreator, erin); b != 135 || e != 15 {
		t.Fatalf("balances bob %d, erin %d; want 135, 15", b, e)
	}
	if p := balance(t, f.ledger, app.AccountCreatorPending, app.PendingKey(peerA, bob)); p != 0 {
		t.Fatalf("bob still has %d pending", p)
	}
	if got := balance(t, f.ledger, app.AccountMoneyIn, "settlement "+peerA); got != -110 {
		t.Fatalf("money in from a.example %d; want -110", got)
	}
	checkLedger(t, f.ledger)
	// Again: nothing more.
	if _, err := f.svc.Confirm(ctx, peerA, month, eur(110), "REF-1"); err != nil || len(f.msg.settled) != 1 {
		t.Fatalf("a second confirm: %v, %d messages; want no-op", err, len(f.msg.settled))
	}
	if b := balance(t, f.ledger, app.AccountCreator, bob); b != 135 {
		t.Fatalf("bob has %d after a second confirm", b)
	}
	// The peer's own message of the same settlement changes nothing either.
	if _, err := f.svc.Settled(ctx, settlement.PeerSettlement{URI: "https://a.example/settlements/2026-11/b.example", Sender: actA, Month: month,
		Currency: "EUR", Payer: actA, Payee: base + "/actor", Amount: 110, Reference: "REF-1"}); err != nil {
		t.Fatal(err)
	}
	checkLedger(t, f.ledger)
}

func TestPeerSettlementMustMatchTheNet(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := statement(1, app.StatementLine{LikeURI: like(0), ThingURI: solo, Amount: 100})
	if _, err := f.svc.Receive(ctx, settlement.Incoming{Statement: in, Sender: actA}); err != nil {
		t.Fatal(err)
	}
	msg := settlement.PeerSettlement{URI: "https://a.example/settlements/2026-11/b.example", Sender: actA, Month: month,
		Currency: "EUR", Payer: actA, Payee: base + "/actor", Amount: 99, Reference: "X"}
	early := msg
	early.Month = "2026-10" // no statement of that month arrived yet
	if _, err := f.svc.Settled(ctx, early); !errors.Is(err, settlement.ErrNotYet) || app.ErrorCode(err) != app.EINTERNAL {
		t.Fatalf("a settlement before its statements: %v; want ErrNotYet, retried", err)
	}
	if _, err := f.svc.Settled(ctx, msg); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("a settlement of 99 for a net of 100: %v; want invalid", err)
	}
	msg.Amount, msg.Sender = 100, "https://a.example/users/ann"
	if _, err := f.svc.Settled(ctx, msg); app.ErrorCode(err) != app.EFORBIDDEN {
		t.Fatalf("a settlement from a user: %v; want forbidden", err)
	}
	if b := balance(t, f.ledger, app.AccountCreator, bob); b != 0 {
		t.Fatalf("refused settlements moved %d to bob", b)
	}
	msg.Sender = actA
	if _, err := f.svc.Settled(ctx, msg); err != nil {
		t.Fatal(err)
	}
	if b := balance(t, f.ledger, app.AccountCreator, bob); b != 100 {
		t.Fatalf("bob has %d after the peer's settlement; want 100", b)
	}
	checkLedger(t, f.ledger)
}

// directory answers for up.example and cannot reach anything else.
type directory struct{}

func (directory) Lookup(_ context.Context, base string) (*app.Peer, error) {
	if base == "https://up.example" {
		return &app.Peer{Settles: true, Currency: "EUR", InstanceActor: base + "/actor", Inbox: base + "/actor/inbox", ProtocolVersion: 2}, nil
	}
	return nil, app.Errorf(app.EUNAVAILABLE, "%s did not answer", base)
}

func TestDiscoverNamesServersNeverReached(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	svc := settlement.New(settlement.Deps{Tx: f.st, Store: f.st.Settlements, Ledger: f.ledger, Months: closedMonths{}, Directory: directory{},
		Messenger: f.msg, IDs: ids{}, Now: func() time.Time { return now }, PeerTTL: time.Nanosecond})
	unreachable, err := svc.DiscoverAll(ctx, []string{"https://up.example/users/x", "https://down.example/users/y", "https://a.example/users/z", base + "/users/bob"})
	if err != nil {
		t.Fatal(err)
	}
	// a.example was known before (the fixture's peer): not reached now,
	// but not unknown either.
	if len(unreachable) != 1 || unreachable[0] != "down.example" {
		t.Fatalf("unreachable %v; want [down.example]", unreachable)
	}
	for host, want := range map[string]bool{"up.example": true, "down.example": false, peerA: true} {
		if got, err := svc.SettlesWith(ctx, host); err != nil || got != want {
			t.Errorf("SettlesWith(%s) = %v, %v; want %v", host, got, err, want)
		}
	}
}
