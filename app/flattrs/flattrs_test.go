package flattrs_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/app/things"
)

const base = "https://p.example"

type urls struct{}

func (urls) Actor(name string) string { return base + "/users/" + name }
func (urls) IsLocal(uri string) bool  { return strings.HasPrefix(uri, base+"/") }
func (urls) Host() string             { return "p.example" }

// remoteThings resolves every https://r.example URL to a Note of bob's.
type remoteThings struct{}

func (remoteThings) ResolveThing(_ context.Context, u string) (*app.Thing, error) {
	if !strings.HasPrefix(u, "https://r.example/notes/") {
		return nil, app.Errorf(app.ENOTFOUND, "no %s", u)
	}
	return &app.Thing{URI: u, OwnerURI: "https://r.example/u/bob", OwnerConfirmed: true, Kind: app.ThingNote, Host: "r.example"}, nil
}

// sent records what the use cases asked the outbox to send.
type sent struct {
	log []string
	n   int
}

func (o *sent) SendFlattr(_ context.Context, f *app.Flattr, owner string) (*app.Activity, error) {
	o.n++
	f.ActivityURI = fmt.Sprintf("%s/activities/%d", base, o.n)
	o.log = append(o.log, fmt.Sprintf("Like %d → %s", f.Weight, owner))
	return &app.Activity{URI: f.ActivityURI, Type: "Like"}, nil
}

func (o *sent) SendFlattrChange(_ context.Context, f *app.Flattr, owner string) (*app.Activity, error) {
	o.log = append(o.log, fmt.Sprintf("Update %d → %s", f.Weight, owner))
	return &app.Activity{Type: "Update"}, nil
}

func (o *sent) SendUndoFlattr(_ context.Context, _ *app.Flattr, owner string) (*app.Activity, error) {
	o.log = append(o.log, "Undo → "+owner)
	return &app.Activity{Type: "Undo"}, nil
}

// closedBefore closes every month before its month.
type closedBefore string

func (c closedBefore) Closed(_ context.Context, m string) (bool, error) { return m < string(c), nil }

type env struct {
	st   *store.Store
	svc  *flattrs.Service
	out  *sent
	now  time.Time
	note string // a local thing of alice's
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{st: storetest.Open(t), out: &sent{}, now: time.Now().UTC(), note: base + "/objects/n1"}
	clock := func() time.Time { return e.now }
	th := things.New(things.Deps{Tx: e.st, Store: e.st, Resolver: remoteThings{}, URLs: urls{}, Now: clock})
	e.svc = flattrs.New(flattrs.Deps{Tx: e.st, Store: e.st, Likes: e.st, Things: th, Outbox: e.out, URLs: urls{},
		Months: closedBefore(app.MonthOf(e.now)), Now: clock})
	if err := e.st.UpsertThing(context.Background(), &app.Thing{URI: e.note, OwnerURI: urls{}.Actor("alice"), OwnerConfirmed: true, Kind: app.ThingNote, Host: "p.example", Local: true}); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) counts(t *testing.T) app.ThingCounts {
	t.Helper()
	c, err := e.st.ThingCounts(context.Background(), e.note, app.MonthOf(e.now))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFlattrLifecycle: a local funder's flattr is sent once, a second
// flattr of the thing this month changes the weight, an undo withdraws
// it; bad weights, one's own things and other people's flattrs are
// refused.
func TestFlattrLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	remote := "https://r.example/notes/1"
	f, act, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: remote, Weight: 3})
	if err != nil || act == nil || f.Weight != 3 || f.State != app.FlattrActive || f.Month != app.MonthOf(e.now) {
		t.Fatalf("Flattr = %+v, %v, %v", f, act, err)
	}
	if _, act, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: remote, Weight: 3}); err != nil || act != nil {
		t.Fatalf("same flattr again: %v, %v; want nothing sent", act, err)
	}
	if _, _, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: remote, Weight: 6}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.ChangeWeight(ctx, "carol", f.ID, 2); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 11, -1} {
		if _, err := e.svc.ChangeWeight(ctx, "carol", f.ID, w); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("weight %d: %v, want invalid", w, err)
		}
	}
	if _, err := e.svc.ChangeWeight(ctx, "dave", f.ID, 2); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("dave changes carol's flattr: %v, want not found", err)
	}
	if _, err := e.svc.Undo(ctx, "carol", f.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Undo(ctx, "carol", f.ID); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("second undo: %v, want invalid", err)
	}
	want := []string{"Like 3 → https://r.example/u/bob", "Update 6 → https://r.example/u/bob", "Update 2 → https://r.example/u/bob", "Undo → https://r.example/u/bob"}
	if fmt.Sprint(e.out.log) != fmt.Sprint(want) {
		t.Errorf("sent %q, want %q", e.out.log, want)
	}
	if _, _, err := e.svc.Flattr(ctx, "alice", flattrs.Request{URL: e.note}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("alice flattrs her own note: %v, want invalid", err)
	}
	if _, _, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: "https://r.example/nothing"}); app.ErrorCode(err) != app.ENOTFOUND {
		t.Errorf("flattr of nothing: %v, want not found", err)
	}
	// A local thing: stored, counted, sent nowhere.
	e.out.log = nil
	if _, _, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: e.note, Weight: 2}); err != nil {
		t.Fatal(err)
	}
	if c := e.counts(t); c.FlattrsMonth != 1 || c.Funders != 1 || fmt.Sprint(e.out.log) != "[Like 2 → ]" {
		t.Errorf("local flattr: counts %+v, sent %q", c, e.out.log)
	}
}

// like is one received activity of the ordering test.
type like struct {
	name string
	run  func(e *env) error
}

// TestReceiveInAnyOrder: a Like, a weight change and an Undo, applied in
// every order, leave the same flattr: undone when the Undo is among them,
// the changed weight otherwise; a repeated delivery changes nothing.
func TestReceiveInAnyOrder(t *testing.T) {
	ctx := context.Background()
	const actor, likeID = "https://q.example/u/erin", "https://q.example/likes/1"
	rcv := func(w int, at time.Duration) func(e *env) flattrs.Received {
		return func(e *env) flattrs.Received {
			return flattrs.Received{ActivityURI: likeID, ActorURI: actor, ObjectURI: e.note, Terms: &flattrs.Terms{Weight: w}, At: e.now.Add(at)}
		}
	}
	likeIt := like{"Like", func(e *env) error { _, err := e.svc.Receive(ctx, rcv(3, -time.Hour)(e)); return err }}
	change := like{"Update", func(e *env) error { return e.svc.Changed(ctx, rcv(5, -time.Minute)(e)) }}
	undo := like{"Undo", func(e *env) error { return e.svc.Unliked(ctx, actor, likeID, "") }}
	for _, order := range [][]like{
		{likeIt, change, undo}, {likeIt, undo, change}, {change, likeIt, undo},
		{change, undo, likeIt}, {undo, likeIt, change}, {undo, change, likeIt},
		{likeIt, change}, {change, likeIt}, {likeIt, change, likeIt, change},
	} {
		var names []string
		undone := false
		for _, l := range order {
			names = append(names, l.name)
			undone = undone || l.name == "Undo"
		}
		t.Run(strings.Join(names, "-"), func(t *testing.T) {
			e := newEnv(t)
			for _, l := range order {
				if err := l.run(e); err != nil {
					t.Fatalf("%s: %v", l.name, err)
				}
			}
			c := e.counts(t)
			f, err := e.st.FlattrByActivity(ctx, likeID)
			switch {
			case undone && err == nil && f.Live():
				t.Fatalf("flattr %+v stands after its Undo", f)
			case undone && c.FlattrsMonth != 0:
				t.Fatalf("counts %+v after the Undo, want 0", c)
			case !undone && (err != nil || f.Weight != 5 || c.FlattrsMonth != 1 || c.Funders != 1):
				t.Fatalf("flattr %+v (%v), counts %+v; want weight 5, one flattr", f, err, c)
			}
		})
	}
}

// TestReceiveRefusals: flattrs of a month not begun or closed, of things
// that do not exist here, with weights out of range are refused and store
// nothing; Likes of other servers' things are ignored.
func TestReceiveRefusals(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	next := app.MonthOf(e.now.AddDate(0, 1, 0))
	prev := app.MonthOf(e.now.AddDate(0, -1, 0))
	for name, r := range map[string]flattrs.Received{
		"future month": {Terms: &flattrs.Terms{Weight: 1, Month: next}},
		"closed month": {Terms: &flattrs.Terms{Weight: 1, Month: prev}},
		"weight 11":    {Terms: &flattrs.Terms{Weight: 11}},
		"bad month":    {Terms: &flattrs.Terms{Weight: 1, Month: "2026-13"}},
		"no thing":     {ObjectURI: base + "/objects/none", Terms: &flattrs.Terms{Weight: 1}},
	} {
		r.ActivityURI, r.ActorURI = "https://q.example/l/"+name, "https://q.example/u/x"
		if r.ObjectURI == "" {
			r.ObjectURI = e.note
		}
		if _, err := e.svc.Receive(ctx, r); app.ErrorCode(err) != app.EINVALID {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
	if what, err := e.svc.Receive(ctx, flattrs.Received{ActivityURI: "https://q.example/l/o", ActorURI: "https://q.example/u/x", ObjectURI: "https://r.example/notes/1"}); what != flattrs.Ignored || err != nil {
		t.Errorf("Like of a remote thing: %q, %v", what, err)
	}
	var n int64
	e.st.DB().Table("flattrs").Count(&n)
	if n != 0 {
		t.Errorf("%d flattrs stored from refused Likes", n)
	}
}

// TestCountsStayExact: after any sequence of flattrs, cheers, reactions,
// weight changes, undos and repeated deliveries from a few actors, the
// cached counts equal those of a model of what stands. A named funder has
// one flattr of a thing a month (a new Like replaces the old), and an
// actor one plain Like (cheer or reaction) of a thing.
func TestCountsStayExact(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(8) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			e := newEnv(t)
			rng := rand.New(rand.NewPCG(seed, 7))
			flattrOf := map[string]string{} // actor → standing flattr's Like id
			likeOf := map[string]string{}   // actor → standing cheer's or reaction's id
			cheer := map[string]bool{}      // like id → a cheer (not a reaction)
			undone := map[string]bool{}
			seen := map[string]bool{}
			for step := range 200 {
				a := rng.IntN(4)
				actor := fmt.Sprintf("https://q.example/u/%d", a)
				kind := "fcr"[rng.IntN(3)]
				id := fmt.Sprintf("%s/likes/%c%d", actor, kind, rng.IntN(4))
				r := flattrs.Received{ActivityURI: id, ActorURI: actor, ObjectURI: e.note, At: e.now.Add(time.Duration(step-300) * time.Second)}
				var err error
				switch op := rng.IntN(4); {
				case op == 3: // Undo
					err = e.svc.Unliked(ctx, actor, id, "")
					undone[id] = true
					if flattrOf[actor] == id {
						delete(flattrOf, actor)
					}
					if likeOf[actor] == id {
						delete(likeOf, actor)
					}
				case kind == 'f' && op == 2: // a weight change, maybe before its Like
					r.Terms = &flattrs.Terms{Weight: 1 + rng.IntN(10)}
					err = e.svc.Changed(ctx, r)
					if !undone[id] && !seen[id] {
						flattrOf[actor] = id
					}
					seen[id] = true
				case kind == 'f':
					r.Terms = &flattrs.Terms{Weight: 1 + rng.IntN(10)}
					_, err = e.svc.Receive(ctx, r)
					if !undone[id] && !seen[id] {
						flattrOf[actor] = id
					}
					seen[id] = true
				default: // a cheer or a reaction
					if kind == 'r' {
						r.Reaction = "🎉"
					}
					_, err = e.svc.Receive(ctx, r)
					// A Like dropped while another stood is taken
					// when it comes again after that one went.
					if !undone[id] && likeOf[actor] == "" {
						likeOf[actor] = id
						cheer[id] = kind == 'c'
					}
				}
				if err != nil {
					t.Fatalf("step %d: %v", step, err)
				}
				var cheers int64
				for _, id := range likeOf {
					if cheer[id] {
						cheers++
					}
				}
				c := e.counts(t)
				n := int64(len(flattrOf))
				if c.FlattrsMonth != n || c.FlattrsAllTime != n || c.Funders != n || c.CheersMonth != cheers || c.CheersAllTime != cheers {
					t.Fatalf("step %d: counts %+v, model %d flattrs, %d cheers", step, c, n, cheers)
				}
			}
		})
	}
}

// TestSubscriptionRenewsOnceAMonth: a subscription flattrs at once and
// again each month, once however often the renewal runs, until cancelled.
func TestSubscriptionRenewsOnceAMonth(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	clock := func() time.Time { return e.now }
	th := things.New(things.Deps{Tx: e.st, Store: e.st, Resolver: remoteThings{}, URLs: urls{}, Now: clock})
	svc := flattrs.New(flattrs.Deps{Tx: e.st, Store: e.st, Likes: e.st, Things: th, Outbox: e.out, URLs: urls{},
		Subscriptions: e.st, Now: clock})
	log := slog.New(slog.DiscardHandler)
	remote := "https://r.example/notes/7"
	sub, err := svc.Subscribe(ctx, "carol", flattrs.Request{URL: remote, Weight: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Subscribe(ctx, "carol", flattrs.Request{URL: remote}); app.ErrorCode(err) != app.ECONFLICT {
		t.Fatalf("second subscription: %v, want conflict", err)
	}
	flattrsIn := func(month string) int {
		list, err := svc.List(ctx, "carol", month)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range list {
			if f.Live() && f.Weight == 2 {
				n++
			}
		}
		return n
	}
	first := app.MonthOf(e.now)
	if n, err := svc.RenewSubscriptions(ctx, log); n != 0 || err != nil || flattrsIn(first) != 1 {
		t.Fatalf("renewal in the month subscribed: %d, %v; %d flattrs", n, err, flattrsIn(first))
	}
	e.now = time.Date(e.now.Year(), e.now.Month(), 1, 12, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	second := app.MonthOf(e.now)
	for range 3 {
		if _, err := svc.RenewSubscriptions(ctx, log); err != nil {
			t.Fatal(err)
		}
	}
	if got := flattrsIn(second); got != 1 {
		t.Fatalf("%d flattrs in %s after three renewals, want 1", got, second)
	}
	if _, err := svc.Cancel(ctx, "dave", sub.ID); app.ErrorCode(err) != app.ENOTFOUND {
		t.Fatalf("dave cancels carol's subscription: %v", err)
	}
	if _, err := svc.Cancel(ctx, "carol", sub.ID); err != nil {
		t.Fatal(err)
	}
	e.now = e.now.AddDate(0, 1, 0)
	if n, err := svc.RenewSubscriptions(ctx, log); n != 0 || err != nil || flattrsIn(app.MonthOf(e.now)) != 0 {
		t.Fatalf("renewal after cancelling: %d, %v", n, err)
	}
}

// TestApproval: a flattr of a thing whose server approves Likes is
// pending until the owner accepts it, and rejected when they refuse; only
// the owner may answer.
func TestApproval(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	for i, accept := range []bool{true, false} {
		uri := fmt.Sprintf("https://r.example/notes/approve-%d", i)
		if err := e.st.UpsertThing(ctx, &app.Thing{URI: uri, OwnerURI: "https://r.example/u/bob", OwnerConfirmed: true, Kind: app.ThingNote, Host: "r.example", ApprovalRequired: true}); err != nil {
			t.Fatal(err)
		}
		f, _, err := e.svc.Flattr(ctx, "carol", flattrs.Request{URL: uri, Weight: 2})
		if err != nil || f.State != app.FlattrPending {
			t.Fatalf("flattr = %+v, %v; want pending", f, err)
		}
		if _, err := e.svc.Approved(ctx, "https://r.example/u/mallory", f.ActivityURI); app.ErrorCode(err) != app.EFORBIDDEN {
			t.Fatalf("a stranger approves: %v, want forbidden", err)
		}
		decide, want := e.svc.Refused, app.FlattrRejected
		if accept {
			decide, want = e.svc.Approved, app.FlattrActive
		}
		if found, err := decide(ctx, "https://r.example/u/bob", f.ActivityURI); !found || err != nil {
			t.Fatalf("answer: %v, %v", found, err)
		}
		if got, _ := e.st.FlattrByActivity(ctx, f.ActivityURI); got.State != want {
			t.Fatalf("after the answer the flattr is %s, want %s", got.State, want)
		}
	}
}

// TestReceiveAll: a batch of Likes is applied together, counted once per
// thing, and stores nothing when one of them is refused.
func TestReceiveAll(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	like := func(n int, terms *flattrs.Terms) flattrs.Received {
		return flattrs.Received{ActivityURI: fmt.Sprintf("https://q.example/l/%d", n), ActorURI: fmt.Sprintf("https://q.example/u/%d", n), ObjectURI: e.note, Terms: terms}
	}
	batch := []flattrs.Received{like(1, nil), like(2, &flattrs.Terms{Weight: 2}), like(3, nil), {ActivityURI: "https://q.example/l/x", ActorURI: "https://q.example/u/x", ObjectURI: "https://r.example/notes/1"}}
	got, err := e.svc.ReceiveAll(ctx, batch)
	if err != nil || fmt.Sprint(got) != "[cheer flattr cheer ignored]" {
		t.Fatalf("ReceiveAll = %v, %v", got, err)
	}
	if c := e.counts(t); c.CheersMonth != 2 || c.FlattrsMonth != 1 {
		t.Fatalf("counts = %+v", c)
	}
	bad := []flattrs.Received{like(4, nil), like(5, &flattrs.Terms{Weight: 11})}
	if _, err := e.svc.ReceiveAll(ctx, bad); app.ErrorCode(err) != app.EINVALID {
		t.Fatalf("batch with a bad weight: %v", err)
	}
	if c := e.counts(t); c.CheersMonth != 2 {
		t.Fatalf("a refused batch stored a cheer: %+v", c)
	}
}

// TestReceiveAllFlattrs: in a batch, a funder's new Like replaces their
// standing flattr, a second Like of one funder in the batch replaces the
// first, repeats change nothing, and anonymous Likes from one instance
// actor all count; the counts match.
func TestReceiveAllFlattrs(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	w := func(id, actor string, weight int, anon bool) flattrs.Received {
		return flattrs.Received{ActivityURI: "https://q.example/l/" + id, ActorURI: "https://q.example/" + actor, ObjectURI: e.note,
			Terms: &flattrs.Terms{Weight: weight, Anonymous: anon}}
	}
	if _, err := e.svc.ReceiveAll(ctx, []flattrs.Received{w("x1", "u/x", 1, false)}); err != nil {
		t.Fatal(err)
	}
	batch := []flattrs.Received{
		w("x2", "u/x", 2, false), w("y1", "u/y", 3, false), w("y2", "u/y", 4, false), w("x1", "u/x", 1, false),
		w("a1", "actor", 5, true), w("a2", "actor", 6, true),
	}
	if _, err := e.svc.ReceiveAll(ctx, batch); err != nil {
		t.Fatal(err)
	}
	state := map[string]string{}
	for _, id := range []string{"x1", "x2", "y1", "y2", "a1", "a2"} {
		f, err := e.st.FlattrByActivity(ctx, "https://q.example/l/"+id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		state[id] = fmt.Sprintf("%s/%d", f.State, f.Weight)
	}
	want := map[string]string{"x1": "undone/1", "x2": "active/2", "y1": "undone/3", "y2": "active/4", "a1": "active/5", "a2": "active/6"}
	if fmt.Sprint(state) != fmt.Sprint(want) {
		t.Fatalf("flattrs = %v, want %v", state, want)
	}
	if c := e.counts(t); c.FlattrsMonth != 4 || c.Funders != 4 {
		t.Fatalf("counts = %+v, want 4 flattrs by 4 funders", c)
	}
}
