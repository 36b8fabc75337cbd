package web_test

import (
	"context"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/months"
	"github.com/plaudit/plaudit/app/statements"
)

const base = "http://plaudit.test"

// money is the fake funding and flattrs of the dashboard tests: flattrs
// by id, each of a funder (a local actor URI), and one budget and wallet
// per funder. Like the real services, a flattr of another funder is
// app.ENOTFOUND.
type money struct {
	mu      sync.Mutex
	flattrs map[int64]*app.Flattr
	things  map[string]*app.Thing
	budget  map[string]int64
	wallet  map[string]int64
	verify  []string // username of each Verify call
	subs    map[int64]*app.Subscription
}

func newMoney() *money {
	return &money{subs: map[int64]*app.Subscription{
		1: {ID: 1, Username: "carol", ThingURI: "https://remote.example/notes/two", Weight: 3, LastMonth: app.MonthOf(timeNow()), CreatedAt: timeNow()},
		2: {ID: 2, Username: "bob", ThingURI: "https://remote.example/notes/three", Weight: 2, CreatedAt: timeNow()},
	}, flattrs: map[int64]*app.Flattr{}, things: map[string]*app.Thing{}, budget: map[string]int64{}, wallet: map[string]int64{}}
}

func (m *money) add(id int64, funder, thing, title string, weight int) {
	m.flattrs[id] = &app.Flattr{ID: id, FunderURI: base + "/users/" + funder, ThingURI: thing, OwnerURI: "https://remote.example/users/bob",
		Month: app.MonthOf(timeNow()), Weight: weight, State: app.FlattrActive}
	m.things[thing] = &app.Thing{URI: thing, URL: thing, Title: title, Kind: app.ThingNote}
}

func (m *money) own(username string, id int64) (*app.Flattr, error) {
	f, ok := m.flattrs[id]
	if !ok || f.FunderURI != base+"/users/"+username {
		return nil, app.Errorf(app.ENOTFOUND, "no flattr %d", id)
	}
	return f, nil
}

func (m *money) Flattr(context.Context, string, flattrs.Request) (*app.Flattr, *app.Activity, error) {
	return nil, nil, app.Errorf(app.EINVALID, "not in this fake")
}

func (m *money) ChangeWeight(_ context.Context, username string, id int64, weight int) (*app.Flattr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.own(username, id)
	if err != nil {
		return nil, err
	}
	if err := app.CheckWeight(weight); err != nil {
		return nil, err
	}
	f.Weight = weight
	return f, nil
}

func (m *money) SetTip(_ context.Context, username string, id int64, tip int64) (*app.Flattr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.own(username, id)
	if err != nil {
		return nil, err
	}
	f.Tip = tip
	return f, nil
}

func (m *money) Undo(_ context.Context, username string, id int64) (*app.Flattr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.own(username, id)
	if err != nil {
		return nil, err
	}
	f.State = app.FlattrUndone
	return f, nil
}

func (m *money) Get(_ context.Context, username string, id int64) (*app.Flattr, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, err := m.own(username, id)
	if err != nil {
		return nil, err
	}
	cp := *f
	return &cp, nil
}

func (m *money) List(_ context.Context, username, _ string) ([]flattrs.Listed, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []flattrs.Listed
	for _, f := range m.flattrs {
		if f.FunderURI == base+"/users/"+username {
			out = append(out, flattrs.Listed{Flattr: *f, Thing: m.things[f.ThingURI]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *money) ThingOf(_ context.Context, f *app.Flattr) *app.Thing { return m.things[f.ThingURI] }

// Project shares the budget by weight over the live flattrs and adds the
// tips (the rounding of the real split does not matter here).
func (m *money) Project(ctx context.Context, funder, month string) (*months.Projection, error) {
	list, _ := m.List(ctx, funder[len(base+"/users/"):], month)
	m.mu.Lock()
	defer m.mu.Unlock()
	eur := func(n int64) app.Money { return app.Money{Minor: n, Currency: "EUR"} }
	p := &months.Projection{Month: month, Wallet: eur(m.wallet[funder]), Budget: eur(m.budget[funder]), Amount: eur(0), Fee: eur(0)}
	var weights int64
	for _, f := range list {
		if f.Live() {
			weights += int64(f.Weight)
		}
	}
	for _, f := range list {
		if !f.Live() {
			continue
		}
		share := m.budget[funder]*int64(f.Weight)/weights + f.Tip
		p.Amount.Minor += share
		p.Lines = append(p.Lines, app.CloseLine{Month: month, FunderURI: funder, ActivityURI: f.ActivityURI, ThingURI: f.ThingURI,
			RecipientURI: f.OwnerURI, Account: app.Account{Kind: app.AccountPayable, Key: "remote.example"}, Amount: share})
	}
	return p, nil
}

func (m *money) Budget(_ context.Context, funder string) (app.Money, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return app.Money{Minor: m.budget[funder], Currency: "EUR"}, nil
}

func (m *money) SetBudget(_ context.Context, funder string, b app.Money) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b.Minor < 200 {
		return app.Errorf(app.EINVALID, "the budget must be at least 2.00 EUR")
	}
	m.budget[funder] = b.Minor
	return nil
}

func (m *money) Earnings(_ context.Context, creator string) (*statements.Earnings, error) {
	eur := func(n int64) app.Money { return app.Money{Minor: n, Currency: "EUR"} }
	if creator != base+"/users/bob" {
		return &statements.Earnings{Balance: eur(0)}, nil
	}
	return &statements.Earnings{Balance: eur(1234), Months: []statements.MonthEarnings{
		{Month: "2026-10", Total: eur(500), Things: []statements.ThingEarning{{Thing: base + "/users/bob/posts/1", Flattrs: 2, Amount: eur(500)}}},
		{Month: "2026-11", Total: eur(734), Things: []statements.ThingEarning{{Thing: base + "/users/bob/posts/2", Flattrs: 3, Amount: eur(734)}}},
	}, Pending: []statements.PeerPending{{Peer: "other.example", Amount: eur(250)}}}, nil
}

func (m *money) Payouts(_ context.Context, creator string) ([]app.Payout, error) {
	if creator != base+"/users/bob" {
		return nil, nil
	}
	return []app.Payout{{Key: "p1", Amount: app.Money{Minor: 500, Currency: "EUR"}, Provider: "sepa", State: app.PayoutPaid, CreatedAt: timeNow()}}, nil
}

func (m *money) Spending(context.Context, string, string) ([]statements.MonthSpending, error) {
	return nil, nil
}

func (m *money) WriteStatement(_ context.Context, w io.Writer, user, month string) error {
	_, err := io.WriteString(w, "statement,"+user+","+month+"\n")
	return err
}

// Claims: bob has one pending claim of a Mastodon account.
func (m *money) Create(_ context.Context, username, rawURL string) (*app.Claim, error) {
	return nil, app.Errorf(app.EINVALID, "%q is not an http or https URL", rawURL)
}

func (m *money) claimsOf(username string) []app.Claim {
	if username != "bob" {
		return nil
	}
	return []app.Claim{{ID: 7, Kind: app.ClaimActor, Subject: "https://mastodon.example/users/bob", URL: "https://mastodon.example/users/bob",
		State: app.ClaimRefused, Message: "https://mastodon.example/users/bob does not link back", CreatedAt: timeNow()},
		{ID: 8, Kind: app.ClaimSite, Subject: "https://blog.example", URL: "https://blog.example/", State: app.ClaimPending, CreatedAt: timeNow()}}
}

func (m *money) Verify(_ context.Context, username string, id int64) (*app.Claim, error) {
	m.mu.Lock()
	m.verify = append(m.verify, username)
	m.mu.Unlock()
	for _, c := range m.claimsOf(username) {
		if c.ID == id && c.Kind == app.ClaimSite {
			return nil, app.Errorf(app.EUNAVAILABLE, "blog.example did not answer")
		}
		if c.ID == id {
			return &c, app.Errorf(app.EINVALID, "%s", c.Message)
		}
	}
	return nil, app.Errorf(app.ENOTFOUND, "no claim %d", id)
}

func (m *money) Delete(context.Context, string, int64) error { return nil }

// claimsFake serves money's claims (List differs from the flattrs' List).
type claimsFake struct{ *money }

func (c claimsFake) List(_ context.Context, username string) ([]app.Claim, error) {
	return c.claimsOf(username), nil
}

func timeNow() time.Time { return time.Now() }

// StartTopUp sends to a fake payment page; a top-up under 1.00 is refused
// as by app/funding, over 500.00 the provider is down.
func (m *money) StartTopUp(_ context.Context, username string, amount app.Money) (string, error) {
	switch {
	case amount.Minor < 100:
		return "", app.Errorf(app.EINVALID, "a top-up is from 1.00 EUR to 1000.00 EUR")
	case amount.Minor > 500_00:
		return "", app.Errorf(app.EUNAVAILABLE, "the payment provider did not answer")
	}
	return "https://pay.example/checkout?user=" + username, nil
}

// Subscriptions: carol has subscription 1, bob 2.
func (m *money) Subscribe(context.Context, string, flattrs.Request) (*app.Subscription, error) {
	return nil, app.Errorf(app.EINVALID, "not in this fake")
}

func (m *money) Subscriptions(_ context.Context, username string) ([]app.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []app.Subscription
	for _, s := range m.subs {
		if s.Username == username {
			out = append(out, *s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (m *money) Cancel(_ context.Context, username string, id int64) (*app.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s, ok := m.subs[id]
	if !ok || s.Username != username {
		return nil, app.Errorf(app.ENOTFOUND, "you have no subscription %d", id)
	}
	now := timeNow()
	s.CancelledAt = &now
	return s, nil
}
