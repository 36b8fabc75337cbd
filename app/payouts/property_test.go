package payouts_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/payouts"
)

// crashes counts the cases whose crash was reached.
var crashes atomic.Int64

var cases = flag.Int("cases", 12, "cases of the payout property test (CI runs the default with fixed seeds)")

// crasher fails the n-th write (counting from 1) with errCrash, before or
// after the write itself, so that the surrounding transaction rolls back.
type crasher struct {
	mu    sync.Mutex
	n     int
	after bool
}

func (c *crasher) hit() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n--
	return c.n == 0
}

func (c *crasher) write(fn func() error) error {
	if !c.hit() {
		return fn()
	}
	if c.after {
		if err := fn(); err != nil {
			return err
		}
	}
	return errCrash
}

// crashStore is a payouts.Store whose writes crash at the crasher's
// count.
type crashStore struct {
	payouts.Store
	c *crasher
}

func (s crashStore) TakeBuildingBatch(ctx context.Context, id, provider, currency string, now time.Time) (b *app.PayoutBatch, err error) {
	err = s.c.write(func() error { b, err = s.Store.TakeBuildingBatch(ctx, id, provider, currency, now); return err })
	return b, err
}

func (s crashStore) SetBatchState(ctx context.Context, id, state, ref string, paidAt *time.Time) error {
	return s.c.write(func() error { return s.Store.SetBatchState(ctx, id, state, ref, paidAt) })
}

func (s crashStore) InsertPayout(ctx context.Context, p *app.Payout) (ok bool, err error) {
	err = s.c.write(func() error { ok, err = s.Store.InsertPayout(ctx, p); return err })
	return ok, err
}

func (s crashStore) SetPayoutState(ctx context.Context, key, from, to, ref, reason string) (moved bool, err error) {
	err = s.c.write(func() error { moved, err = s.Store.SetPayoutState(ctx, key, from, to, ref, reason); return err })
	return moved, err
}

// crashLedger is a payouts.Ledger whose posts crash at the crasher's
// count.
type crashLedger struct {
	payouts.Ledger
	c *crasher
}

func (l crashLedger) Post(ctx context.Context, t *app.Transaction) (out *app.Transaction, err error) {
	err = l.c.write(func() error { out, err = l.Ledger.Post(ctx, t); return err })
	return out, err
}

// fakeConnect pays creators with a connected account, once per key:
// accounts ending in "x" refuse every transfer, those ending in "t" fail
// (unreachable) on their first attempt, and a crash may hit after a
// transfer was made (the answer lost).
type fakeConnect struct {
	mu        sync.Mutex
	transfers map[string]int64 // by idempotency key
	attempts  map[string]int
	c         *crasher
}

func (*fakeConnect) Name() string                     { return "fake" }
func (*fakeConnect) Accepts(d app.PayoutDetails) bool { return d.StripeAccount != "" }
func newFakeConnect(c *crasher) *fakeConnect {
	return &fakeConnect{transfers: map[string]int64{}, attempts: map[string]int{}, c: c}
}
func (f *fakeConnect) paid(key string) (int64, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.transfers[key]
	return a, ok
}
func (f *fakeConnect) Send(_ context.Context, p app.Payout) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[p.Key]++
	switch acct := p.Details.StripeAccount; {
	case strings.HasSuffix(acct, "x"):
		return "", app.Errorf(app.EINVALID, "account %s cannot receive transfers", acct)
	case strings.HasSuffix(acct, "t") && f.attempts[p.Key] == 1:
		return "", errors.New("connection reset")
	}
	if prev, ok := f.transfers[p.Key]; ok && prev != p.Amount.Minor {
		return "", fmt.Errorf("key %s reused with %d, was %d", p.Key, p.Amount.Minor, prev)
	}
	f.transfers[p.Key] = p.Amount.Minor
	if f.c.hit() {
		return "", errCrash // made, but the answer never came back
	}
	return "tr_" + p.Key, nil
}

// scenario is one random case: creators' balances and details, and
// whether they are paid by hand or through the fake Connect.
type scenario struct {
	balances []int64
	details  []*app.PayoutDetails
	manual   bool
	fails    []int // creators whose manual payout the admin marks failed
}

func newScenario(rng *rand.Rand) scenario {
	sc := scenario{manual: rng.IntN(2) == 0}
	n := 1 + rng.IntN(8)
	for i := range n {
		sc.balances = append(sc.balances, int64(rng.IntN(3000)))
		var d *app.PayoutDetails
		switch rng.IntN(5) {
		case 0: // none
		case 1:
			d = &app.PayoutDetails{Name: "C", StripeAccount: fmt.Sprintf("acct_test%02dx", i)} // refuses
		case 2:
			d = &app.PayoutDetails{Name: "C", StripeAccount: fmt.Sprintf("acct_test%02dt", i)} // flaky
		default:
			d = &app.PayoutDetails{Name: "C", IBAN: goodIBAN, StripeAccount: fmt.Sprintf("acct_test%02dk", i)}
		}
		sc.details = append(sc.details, d)
		if rng.IntN(4) == 0 {
			sc.fails = append(sc.fails, i)
		}
	}
	return sc
}

// play runs the scenario on a fresh fixture, crashing at write crashAt
// (0: never) of the first pass; each job (run, fail, mark paid) is then
// run again, and the whole pass a second time. It returns the ledger's
// balances.
func play(t *testing.T, sc scenario, crashAt int, after bool) (map[app.Account]int64, *fixture, *fakeConnect) {
	t.Helper()
	ctx := context.Background()
	f := newFixture(t)
	c := &crasher{n: crashAt, after: after}
	fake := newFakeConnect(c)
	var provider payouts.Provider = fake
	if sc.manual {
		provider = payouts.Manual{}
	}
	s := f.service(t, crashStore{f.st, c}, crashLedger{f.ledger, c}, provider)
	for i, b := range sc.balances {
		f.earn(t, i, b, fmt.Sprint("earn:", i))
		if sc.details[i] != nil {
			if _, err := s.SetDetails(ctx, creator(i), *sc.details[i]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for pass := range 2 {
		for range 2 { // each job twice; a crash is an error of the first
			res, err := s.Run(ctx)
			if err != nil && !errors.Is(err, errCrash) && !strings.Contains(err.Error(), "connection reset") {
				t.Fatalf("pass %d: run: %v", pass, err)
			}
			_ = res
			if !sc.manual {
				continue
			}
			// The admin handles every open batch: fails the payouts the
			// bank returned, marks the batch paid; each step twice.
			open, err := f.st.OpenBatches(ctx, "manual")
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range open {
				for _, i := range sc.fails {
					for range 2 {
						if _, err := s.Fail(ctx, b.ID, creator(i), "returned by the bank"); err != nil &&
							!errors.Is(err, errCrash) && app.ErrorCode(err) != app.ENOTFOUND {
							t.Fatalf("fail %d: %v", i, err)
						}
					}
				}
				for range 2 {
					if _, err := s.MarkPaid(ctx, b.ID, "bank-ref"); err != nil && !errors.Is(err, errCrash) {
						t.Fatalf("mark paid: %v", err)
					}
				}
			}
		}
	}
	f.check(t)
	if crashAt > 0 && c.n <= 0 {
		crashes.Add(1)
	}
	out := map[app.Account]int64{}
	for i := range sc.balances {
		a := app.Account{Kind: app.AccountCreator, Key: creator(i)}
		out[a] = f.balance(t, a)
	}
	for _, a := range []app.Account{payouts.InFlight(provider.Name()), payouts.PaidOut(provider.Name())} {
		out[a] = f.balance(t, a)
	}
	return out, f, fake
}

// TestPayoutsProperty: random creators, balances and details, paid by
// hand or through a Connect stand-in that refuses some accounts and
// fails others once; a crash injected at a random write (before or after
// it) of the first pass, every job run twice: the ledger check passes,
// the balances add up to the cent, nobody is paid twice, and the ledger
// is the one a run without a crash leaves. Run longer with -args -cases N.
func TestPayoutsProperty(t *testing.T) {
	t.Cleanup(func() {
		if crashes.Load() == 0 {
			t.Error("no case reached its crash: the test injects nothing")
		}
	})
	for seed := range uint64(*cases) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 97))
			sc := newScenario(rng)
			clean, _, _ := play(t, sc, 0, false)
			crashed, f, fake := play(t, sc, 1+rng.IntN(12), rng.IntN(2) == 0)
			if diff := diffBalances(clean, crashed); diff != "" {
				t.Fatalf("manual=%v: the crashed run's ledger differs from the clean one:\n%s", sc.manual, diff)
			}
			var total, held int64
			for i, b := range sc.balances {
				total += b
				held += crashed[app.Account{Kind: app.AccountCreator, Key: creator(i)}]
				ps, err := f.st.PayoutsOf(context.Background(), creator(i))
				if err != nil {
					t.Fatal(err)
				}
				live := 0
				for _, p := range ps {
					if p.State != app.PayoutFailed {
						live++
						if got := crashed[app.Account{Kind: app.AccountCreator, Key: creator(i)}]; got != 0 {
							t.Errorf("creator %d paid %s yet still holds %d", i, p.Amount, got)
						}
						if p.State == app.PayoutPaid && !sc.manual {
							if amount, ok := fake.paid(p.Key); !ok || amount != p.Amount.Minor {
								t.Errorf("payout %s marked paid, transfer %d (%v)", p.Key, amount, ok)
							}
						}
					}
				}
				if live > 1 {
					t.Errorf("creator %d has %d payouts that did not fail", i, live)
				}
			}
			name := "fake"
			if sc.manual {
				name = "manual"
			}
			held += crashed[payouts.InFlight(name)] + crashed[payouts.PaidOut(name)]
			t.Logf("manual=%v, %d creators, crashes reached so far: %d", sc.manual, len(sc.balances), crashes.Load())
			if held != total {
				t.Fatalf("creators + in flight + paid out = %d, earned %d", held, total)
			}
		})
	}
}

func diffBalances(a, b map[app.Account]int64) string {
	var lines []string
	for k, v := range a {
		if b[k] != v {
			lines = append(lines, fmt.Sprintf("%s: %d vs %d", k, v, b[k]))
		}
	}
	for k, v := range b {
		if _, ok := a[k]; !ok && v != 0 {
			lines = append(lines, fmt.Sprintf("%s: none vs %d", k, v))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}
