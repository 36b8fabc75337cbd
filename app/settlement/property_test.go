package settlement_test

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/months"
	"github.com/plaudit/plaudit/app/payouts"
	"github.com/plaudit/plaudit/app/settlement"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/app/things"
)

var (
	propertyCases = flag.Int("cases", 3, "random worlds the three-instance money property test runs (more outside CI: -args -cases 200)")
	propertySeed  = flag.Uint64("seed", 20261202, "seed of the three-instance money property test")
)

var errCrash = errors.New("crash injected by the test")

// crashTx fails the at-th transaction it runs (counting nested ones)
// after its work is done, so that everything in it rolls back, as a crash
// before the commit would; at 0 never fails.
type crashTx struct {
	tx    app.Transactor
	n, at int
}

func (c *crashTx) WithTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return c.tx.WithTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		c.n++
		if c.n == c.at {
			return errCrash
		}
		return nil
	})
}

// world is three Plaudit instances that settle with each other, talking
// through an in-memory network, and a Mastodon server that does not.
type world struct {
	t      *testing.T
	rng    *rand.Rand
	insts  []*node
	byHost map[string]*node
	queue  []message
}

type node struct {
	host, base string
	st         *store.Store
	crash      *crashTx
	ledger     *ledger.Service
	months     *months.Service
	svc        *settlement.Service
	payouts    *payouts.Service
	creators   []string
	funders    []string
	things     []*app.Thing
	w          *world
}

type message struct {
	to   string // host
	kind string
	st   *app.Statement
	s    *app.Settlement
	from string
}

type nodeIDs struct{ n *node }

func (i nodeIDs) Statement(m, host string, v int) string {
	return fmt.Sprintf("%s/statements/%s/%s/%d", i.n.base, m, host, v)
}
func (i nodeIDs) Settlement(m, host string) string {
	return fmt.Sprintf("%s/settlements/%s/%s", i.n.base, m, host)
}
func (i nodeIDs) IsLocal(uri string) bool { return strings.HasPrefix(uri, i.n.base+"/") }
func (i nodeIDs) Host() string            { return i.n.host }

type nodeURLs struct{ n *node }

func (u nodeURLs) IsLocal(uri string) bool { return strings.HasPrefix(uri, u.n.base+"/") }
func (u nodeURLs) Host() string            { return u.n.host }

// netMessenger queues messages once their transaction commits; the world
// delivers them later, in any order, as a durable delivery would.
type netMessenger struct{ n *node }

func (m netMessenger) SignStatement(_ context.Context, st *app.Statement, _ *app.Peer) ([]byte, error) {
	return json.Marshal(st.URI)
}
func (m netMessenger) send(ctx context.Context, msg message) {
	msg.from = m.n.host
	app.AfterCommit(ctx, func(context.Context) { m.n.w.queue = append(m.n.w.queue, msg) })
}
func (m netMessenger) Offer(ctx context.Context, st *app.Statement, p *app.Peer) error {
	cp := *st
	cp.Lines = append([]app.StatementLine(nil), st.Lines...)
	m.send(ctx, message{to: p.Host, kind: "offer", st: &cp})
	return nil
}
func (m netMessenger) Answer(ctx context.Context, st *app.Statement, p *app.Peer) error {
	cp := *st
	m.send(ctx, message{to: p.Host, kind: "answer", st: &cp})
	return nil
}
func (m netMessenger) SignSettlement(_ context.Context, s *app.Settlement, _ *app.Peer) ([]byte, error) {
	return json.Marshal(s.URI)
}
func (m netMessenger) Settled(ctx context.Context, s *app.Settlement, p *app.Peer) error {
	cp := *s
	m.send(ctx, message{to: p.Host, kind: "settled", s: &cp})
	return nil
}
func (m netMessenger) FetchLike(context.Context, string) error {
	return app.Errorf(app.ENOTFOUND, "Likes are not served in this test")
}

func newWorld(t *testing.T, rng *rand.Rand) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, rng: rng, byHost: map[string]*node{}}
	for _, h := range []string{"a.example", "b.example", "c.example"} {
		n := &node{host: h, base: "https://" + h, st: storetest.Open(t), w: w}
		n.crash = &crashTx{tx: n.st}
		l, err := ledger.New(n.crash, n.st, "EUR")
		if err != nil {
			t.Fatal(err)
		}
		n.ledger = l
		th := things.New(things.Deps{Tx: n.crash, Store: n.st, Recipients: n.st, URLs: nodeURLs{n}})
		n.months = months.New(months.Deps{Tx: n.crash, Store: n.st, Ledger: l, Things: th,
			Peers: settlement.Peers{Store: n.st.Settlements, Currency: "EUR"}, URLs: nodeURLs{n},
			MinBudget: app.Money{Minor: 200, Currency: "EUR"}, FeePercent: rng.IntN(11), GraceDays: 3, Owner: h,
			Now: func() time.Time { return now }})
		n.svc = settlement.New(settlement.Deps{Tx: n.crash, Store: n.st.Settlements, Ledger: l, Months: n.months, Directory: noDirectory{},
			Messenger: netMessenger{n}, IDs: nodeIDs{n}, Now: func() time.Time { return now }})
		if n.payouts, err = payouts.New(payouts.Deps{Tx: n.crash, Store: n.st.Payouts, Balances: n.st.Ledger, Ledger: l, Provider: payouts.Manual{},
			Threshold: app.Money{Minor: int64(1 + rng.IntN(300)), Currency: "EUR"}, Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		w.insts = append(w.insts, n)
		w.byHost[h] = n
	}
	for _, n := range w.insts {
		for _, p := range w.insts {
			if p != n {
				must(t, n.st.SavePeer(ctx, &app.Peer{Host: p.host, InstanceActor: p.base + "/actor", Inbox: p.base + "/actor/inbox",
					Currency: "EUR", Settles: true, ProtocolVersion: 2, CheckedAt: now}))
			}
		}
		creators := make([]string, 1+rng.IntN(3))
		for i := range creators {
			creators[i] = fmt.Sprintf("%s/users/creator%d", n.base, i)
			if i > 0 || rng.IntN(2) == 0 { // some creators give no bank account: they wait
				_, err := n.payouts.SetDetails(ctx, creators[i], app.PayoutDetails{Name: "Creator", IBAN: "DE89370400440532013000"})
				must(t, err)
			}
		}
		n.creators = creators
		for i := range 2 + rng.IntN(4) {
			th := &app.Thing{URI: fmt.Sprintf("%s/objects/%d", n.base, i), OwnerURI: creators[rng.IntN(len(creators))], OwnerConfirmed: true,
				Kind: app.ThingNote, Host: n.host, Local: true}
			must(t, n.st.UpsertThing(ctx, th))
			if len(creators) > 1 && rng.IntN(3) == 0 {
				must(t, n.st.SetRecipients(ctx, th.URI, []app.Recipient{
					{RecipientURI: creators[0], Share: 1 + rng.IntN(100)}, {RecipientURI: creators[1], Share: 1 + rng.IntN(100)}}))
			}
			n.things = append(n.things, th)
		}
		for i := range 2 + rng.IntN(6) {
			f := fmt.Sprintf("%s/users/funder%d", n.base, i)
			n.funders = append(n.funders, f)
			if topup := int64(rng.IntN(1500)); topup > 0 {
				_, err := n.ledger.Post(ctx, &app.Transaction{Key: "topup:" + f, Kind: "topup", Currency: "EUR", Postings: []app.Posting{
					{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -topup},
					{Account: app.Account{Kind: app.AccountWallet, Key: f}, Amount: topup}}})
				must(t, err)
			}
			if rng.IntN(2) == 0 {
				must(t, n.st.SetBudget(ctx, f, app.Money{Minor: int64(200 + rng.IntN(800)), Currency: "EUR"}))
			}
		}
	}
	mastodon := &app.Thing{URI: "https://m.example/statuses/1", OwnerURI: "https://m.example/users/alice", OwnerConfirmed: true, Kind: app.ThingNote, Host: "m.example"}
	like := 0
	for _, n := range w.insts {
		for _, f := range n.funders {
			all := []*app.Thing{mastodon}
			for _, o := range w.insts {
				all = append(all, o.things...)
			}
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			for _, th := range all[:1+rng.IntN(min(6, len(all)))] {
				like++
				state, theirs := app.FlattrActive, app.FlattrActive
				switch r := rng.IntN(20); {
				case r < 2:
					state, theirs = app.FlattrUndone, app.FlattrUndone
				case r == 2:
					theirs = app.FlattrUndone // the funder's side lost the Undo: a dispute
				}
				fl := &app.Flattr{ActivityURI: fmt.Sprintf("%s/activities/like-%d", n.base, like), FunderURI: f, ThingURI: th.URI, OwnerURI: th.OwnerURI,
					Month: month, Weight: 1 + rng.IntN(10), Local: true, State: state, CreatedAt: now.AddDate(0, 0, -20), UpdatedAt: now, ChangedAt: now}
				if rng.IntN(4) == 0 {
					fl.Tip = int64(1 + rng.IntN(300))
				}
				if !strings.HasPrefix(th.URI, n.base) {
					must(t, n.st.UpsertThing(ctx, &app.Thing{URI: th.URI, OwnerURI: th.OwnerURI, OwnerConfirmed: true, Kind: th.Kind, Host: th.Host}))
				}
				_, err := n.st.InsertFlattr(ctx, fl)
				must(t, err)
				if peer := w.byHost[th.Host]; peer != nil && peer != n {
					theirsF := *fl
					theirsF.ID, theirsF.Local, theirsF.Tip, theirsF.State = 0, false, 0, theirs
					_, err := peer.st.InsertFlattr(ctx, &theirsF)
					must(t, err)
				}
			}
		}
	}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// run runs job with a crash at a random transaction until it succeeds,
// then once more: a crashed run leaves nothing half done, a rerun finishes
// the job, a run after success changes nothing.
func (n *node) run(name string, job func() error) {
	t := n.w.t
	t.Helper()
	for attempt := 0; ; attempt++ {
		n.crash.n, n.crash.at = 0, 0
		if attempt < 3 {
			n.crash.at = 1 + n.w.rng.IntN(6)
		}
		err := job()
		if err == nil {
			break
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("%s on %s: %v", name, n.host, err)
		}
		seen["crash"]++
	}
	n.crash.n, n.crash.at = 0, 0
	before := n.ledgerState()
	if err := job(); err != nil {
		t.Fatalf("%s on %s run again: %v", name, n.host, err)
	}
	if after := n.ledgerState(); after != before {
		t.Fatalf("%s on %s run again changed the ledger:\n%s\n---\n%s", name, n.host, before, after)
	}
}

func (n *node) ledgerState() string {
	var rows []struct {
		Kind, Key string
		Balance   int64
	}
	must(n.w.t, n.st.DB().Raw("SELECT kind, key, balance FROM ledger_accounts ORDER BY kind, key").Scan(&rows).Error)
	var b strings.Builder
	for _, r := range rows {
		fmt.Fprintf(&b, "%s:%s=%d\n", r.Kind, r.Key, r.Balance)
	}
	var tx int64
	must(n.w.t, n.st.DB().Table("ledger_transactions").Count(&tx).Error)
	fmt.Fprintf(&b, "transactions=%d\n", tx)
	return b.String()
}

// deliver hands every queued message to its receiver, a crash at a random
// transaction sometimes (the message then stays queued, as a failed
// delivery is retried), until none is left.
func (w *world) deliver() {
	t := w.t
	t.Helper()
	ctx := context.Background()
	for round := 0; len(w.queue) > 0; round++ {
		if round > 200 {
			t.Fatalf("messages never settle: %d left", len(w.queue))
		}
		msg := w.queue[0]
		w.queue = w.queue[1:]
		to := w.byHost[msg.to]
		to.crash.n, to.crash.at = 0, 0
		if w.rng.IntN(3) == 0 {
			to.crash.at = 1 + w.rng.IntN(3)
		}
		var err error
		switch msg.kind {
		case "offer":
			st := *msg.st
			st.Lines = append([]app.StatementLine(nil), msg.st.Lines...)
			_, err = to.svc.Receive(ctx, settlement.Incoming{Statement: &st, Sender: "https://" + msg.from + "/actor"})
		case "answer":
			err = to.svc.Answered(ctx, settlement.Answer{StatementURI: msg.st.URI, By: "https://" + msg.from + "/actor",
				Accepted: msg.st.State == app.StatementAccepted, Reasons: msg.st.Reasons})
		case "settled":
			s := msg.s
			payer, payee, amount := "https://"+msg.from+"/actor", to.base+"/actor", s.Net
			if s.Net < 0 {
				payer, payee, amount = payee, payer, -s.Net
			}
			_, err = to.svc.Settled(ctx, settlement.PeerSettlement{URI: s.URI, Sender: "https://" + msg.from + "/actor", Month: s.Month,
				Currency: s.Currency, Payer: payer, Payee: payee, Amount: amount, Reference: s.Reference})
		}
		to.crash.n, to.crash.at = 0, 0
		switch {
		case errors.Is(err, errCrash):
			w.queue = append(w.queue, msg) // delivered again later
		case err != nil:
			t.Fatalf("%s from %s to %s: %v", msg.kind, msg.from, msg.to, err)
		}
	}
}

// seen counts what the worlds went through, so that the test fails when
// its randomness stops reaching the paths it is meant to prove.
var seen = map[string]int{}

func TestMoneyAcrossThreeInstancesWithCrashes(t *testing.T) {
	defer func() {
		t.Logf("across %d worlds: %v", *propertyCases, seen)
		for _, what := range []string{"crash", "accepted", "disputed", "settlement", "escrow", "payout"} {
			if *propertyCases >= 3 && seen[what] == 0 && !t.Failed() {
				t.Errorf("no world had a %s", what)
			}
		}
	}()
	for c := range *propertyCases {
		t.Run(fmt.Sprintf("case%d", c), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(*propertySeed, uint64(c)))
			w := newWorld(t, rng)
			ctx := context.Background()
			for _, n := range w.insts {
				n.run("close", func() error { _, err := n.months.Close(ctx, month, false, nil); return err })
			}
			for _, n := range w.insts {
				n.run("statements", func() error { _, err := n.svc.Prepare(ctx, month); return err })
			}
			w.deliver()
			for _, n := range w.insts {
				ns, err := n.svc.Nettings(ctx, "", month)
				must(t, err)
				for _, ne := range ns {
					if ne.Net <= 0 || ne.Open > 0 || (ne.Outgoing == 0 && ne.Incoming == 0) {
						continue // the payer confirms; a month with nothing accepted stays open
					}
					n.run("settlement confirm", func() error {
						_, err := n.svc.Confirm(ctx, ne.PeerHost, month, app.Money{Minor: ne.Net, Currency: "EUR"}, "ref-"+n.host+"-"+ne.PeerHost)
						return err
					})
				}
			}
			w.deliver()
			for _, n := range w.insts {
				var batch string
				n.run("payout run", func() error {
					r, err := n.payouts.Run(ctx)
					if err == nil && r.Batch != nil && batch == "" {
						batch = r.Batch.ID
					}
					return err
				})
				if batch != "" && rng.IntN(3) > 0 {
					n.run("payout paid", func() error { _, err := n.payouts.MarkPaid(ctx, batch, "bank-"+batch); return err })
					seen["payout"]++
				}
			}
			w.check()
		})
	}
}

// check proves the world's books: every ledger checks out, every funder
// paid once what the rules say, every cent spent is somewhere, statements
// match both ways, and settled pairs owe each other nothing.
func (w *world) check() {
	t := w.t
	ctx := context.Background()
	var spent, held int64
	for _, n := range w.insts {
		r, err := n.ledger.Check(ctx)
		must(t, err)
		if len(r.Violations) > 0 {
			t.Fatalf("%s: ledger check: %v", n.host, r.Violations)
		}
		for _, f := range n.funders {
			topup, _ := n.st.Ledger.TransactionByKey(ctx, "topup:"+f)
			var in int64
			if topup != nil {
				in = -topup.Postings[0].Amount
				for _, p := range topup.Postings {
					if p.Account.Kind == app.AccountWallet {
						in = p.Amount
					}
				}
			}
			wallet := balanceOf(t, n.ledger, app.AccountWallet, f)
			spend := in - wallet
			fs, err := n.st.FlattrsOf(ctx, f, month)
			must(t, err)
			budget, ok, err := n.st.BudgetOf(ctx, f)
			must(t, err)
			b := int64(200)
			if ok {
				b = budget.Minor
			}
			var base int64
			var tips []int64
			for _, fl := range fs {
				if fl.State == app.FlattrActive {
					base = min(b, in)
					if fl.Tip > 0 {
						tips = append(tips, fl.Tip)
					}
				}
			}
			if spend < base || spend > in || !subsetSum(tips, spend-base) {
				t.Fatalf("%s paid %d of %d (base %d, tips %v)", f, spend, in, base, tips)
			}
			var closes int64
			must(t, n.st.DB().Table("ledger_transactions").Where("idem_key = ?", "close:"+month+":"+f).Count(&closes).Error)
			if closes > 1 || (spend > 0 && closes != 1) {
				t.Fatalf("%s has %d close transactions", f, closes)
			}
			spent += spend
		}
		var rows []struct {
			Kind, Key string
			Balance   int64
		}
		must(t, n.st.DB().Raw("SELECT kind, key, balance FROM ledger_accounts").Scan(&rows).Error)
		for _, r := range rows {
			switch {
			case r.Kind == app.AccountCreator, r.Kind == app.AccountCreatorPending, r.Kind == app.AccountFees, r.Kind == app.AccountEscrow,
				r.Kind == app.AccountPayable, r.Kind == app.AccountReceivable, strings.HasPrefix(r.Key, "settlement "),
				r.Kind == app.AccountMoneyOut && strings.HasPrefix(r.Key, "payouts"):
				held += r.Balance
			}
		}
		// Statements both ways agree.
		out, err := n.svc.Statements(ctx, app.StatementOut, "", month)
		must(t, err)
		for _, st := range out {
			peer := w.byHost[st.PeerHost]
			theirs, err := peer.st.Settlements.Statement(ctx, st.URI, false)
			must(t, err)
			if theirs.State != st.State || theirs.Total != st.Total {
				t.Fatalf("%s says %s is %s (%d), %s says %s (%d)", n.host, st.URI, st.State, st.Total, peer.host, theirs.State, theirs.Total)
			}
			lines, err := n.st.Settlements.PayableLines(ctx, month, st.PeerHost)
			must(t, err)
			var owed int64
			for _, l := range lines {
				owed += l.Amount
			}
			seen[st.State]++
			if owed != st.Total {
				t.Fatalf("%s's statement to %s says %d; its close owes %d", n.host, st.PeerHost, st.Total, owed)
			}
			if st.State == app.StatementAccepted {
				if s, err := n.st.Settlements.Settlement(ctx, st.PeerHost, month); err == nil {
					seen["settlement"]++
					if p := balanceOf(t, n.ledger, app.AccountPayable, st.PeerHost); p != 0 {
						t.Fatalf("%s still owes %s %d after settlement %s", n.host, st.PeerHost, p, s.Reference)
					}
					if _, err := peer.st.Settlements.Settlement(ctx, n.host, month); err != nil {
						t.Fatalf("%s settled with %s, which did not record it: %v", n.host, peer.host, err)
					}
				}
			}
		}
	}
	for _, n := range w.insts {
		if balanceOf(t, n.ledger, app.AccountEscrow, "https://m.example/users/alice") > 0 {
			seen["escrow"]++
		}
	}
	if spent != held {
		t.Fatalf("funders spent %d; creators, pending, fees, escrow, payables and settlements hold %d", spent, held)
	}
}

func balanceOf(t *testing.T, l *ledger.Service, kind, key string) int64 {
	t.Helper()
	m, err := l.Balance(context.Background(), app.Account{Kind: kind, Key: key})
	must(t, err)
	return m.Minor
}

// subsetSum tells whether some of xs add up to target.
func subsetSum(xs []int64, target int64) bool {
	if target == 0 {
		return true
	}
	if target < 0 || len(xs) == 0 {
		return false
	}
	return subsetSum(xs[1:], target-xs[0]) || subsetSum(xs[1:], target)
}
