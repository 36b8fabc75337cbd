package stripe_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/ledger"
	"github.com/plaudit/plaudit/app/payouts"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/payments/stripe"
)

// standIn answers POST /v1/transfers as Stripe would, from recorded
// bodies: one transfer per idempotency key (a replay gets the first
// answer), "acct_1QPlauditGone" does not exist, and
// "acct_1QPlauditShort" is refused while the platform balance is short.
type standIn struct {
	t         *testing.T
	mu        sync.Mutex
	short     bool
	transfers map[string]map[string]any // by idempotency key
	requests  int
}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests++
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/v1/transfers" || r.Header.Get("Authorization") != "Bearer sk_test_plaudit" {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"unexpected request"}}`))
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if tr, ok := s.transfers[key]; ok {
		_ = json.NewEncoder(w).Encode(tr)
		return
	}
	_ = r.ParseForm()
	switch dest := r.PostForm.Get("destination"); {
	case key == "":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"no idempotency key"}}`))
	case dest == "acct_1QPlauditGone":
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(fixture(s.t, "transfer_no_such_destination.json"))
	case dest == "acct_1QPlauditShort" && s.short:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write(fixture(s.t, "transfer_balance_insufficient.json"))
	default:
		var tr map[string]any
		if err := json.Unmarshal(fixture(s.t, "transfer_created.json"), &tr); err != nil {
			s.t.Fatal(err)
		}
		amount, _ := strconv.ParseInt(r.PostForm.Get("amount"), 10, 64)
		tr["id"] = "tr_" + strconv.Itoa(len(s.transfers)+1)
		tr["amount"], tr["currency"], tr["destination"] = amount, r.PostForm.Get("currency"), dest
		tr["transfer_group"], tr["metadata"] = r.PostForm.Get("transfer_group"), map[string]string{"plaudit_payout": r.PostForm.Get("metadata[plaudit_payout]")}
		s.transfers[key] = tr
		_ = json.NewEncoder(w).Encode(tr)
	}
}

// TestConnectPayouts: a payout run through Stripe Connect, against a
// stand-in for Stripe's API on loopback, transfers each creator's balance
// once under the payout's key; a connected account Stripe does not know
// fails and its money returns to the balance; a short platform balance
// leaves the payout pending until a later run sends it.
func TestConnectPayouts(t *testing.T) {
	ctx := context.Background()
	api := &standIn{t: t, short: true, transfers: map[string]map[string]any{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	st := storetest.Open(t)
	l, err := ledger.New(st, st, "EUR")
	if err != nil {
		t.Fatal(err)
	}
	connect, err := stripe.NewConnect(stripe.Options{SecretKey: "sk_test_plaudit", APIURL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 12, 10, 9, 0, 0, 0, time.UTC)
	s, err := payouts.New(payouts.Deps{Tx: st, Store: st, Balances: st, Ledger: l, Provider: connect,
		Threshold: app.Money{Minor: 1000, Currency: "EUR"}, Now: func() time.Time { clock = clock.Add(time.Second); return clock }})
	if err != nil {
		t.Fatal(err)
	}
	accounts := map[string]string{"bob": "acct_1QPlauditCreator", "gone": "acct_1QPlauditGone", "short": "acct_1QPlauditShort"}
	for name, acct := range accounts {
		uri := "https://plaudit.example/users/" + name
		if _, err := l.Post(ctx, &app.Transaction{Key: "earn:" + name, Kind: "test", Postings: []app.Posting{
			{Account: app.Account{Kind: app.AccountMoneyIn, Key: "manual"}, Amount: -1500},
			{Account: app.Account{Kind: app.AccountCreator, Key: uri}, Amount: 1500},
		}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetDetails(ctx, uri, app.PayoutDetails{StripeAccount: acct}); err != nil {
			t.Fatal(err)
		}
	}
	balance := func(a app.Account) int64 {
		b, err := l.Balance(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		return b.Minor
	}
	creator := func(name string) app.Account {
		return app.Account{Kind: app.AccountCreator, Key: "https://plaudit.example/users/" + name}
	}
	res, err := s.Run(ctx)
	if err == nil {
		t.Fatal("the run with a short platform balance reported no error")
	}
	if res == nil || len(res.Batch.Payouts) != 3 {
		t.Fatalf("the run answered %+v with its error", res)
	}
	states := map[string]string{}
	first := ""
	for name := range accounts {
		ps, err := s.Payouts(ctx, "https://plaudit.example/users/"+name)
		if err != nil || len(ps) != 1 {
			t.Fatalf("%s: payouts %+v, %v", name, ps, err)
		}
		states[name] = ps[0].State
		if name == "bob" {
			first = ps[0].Ref
		}
		if name == "gone" && ps[0].Reason == "" {
			t.Errorf("the failed payout says no reason")
		}
	}
	if states["bob"] != app.PayoutPaid || states["gone"] != app.PayoutFailed || states["short"] != app.PayoutPending || first == "" {
		t.Fatalf("states %v, bob's ref %q", states, first)
	}
	if balance(creator("gone")) != 1500 || balance(creator("bob")) != 0 || balance(payouts.InFlight("stripe")) != 1500 || balance(payouts.PaidOut("stripe")) != 1500 {
		t.Fatalf("balances after the first run: gone %d, bob %d, in flight %d, paid %d", balance(creator("gone")), balance(creator("bob")),
			balance(payouts.InFlight("stripe")), balance(payouts.PaidOut("stripe")))
	}
	api.mu.Lock()
	api.short = false
	api.mu.Unlock()
	if _, err := s.Run(ctx); err != nil {
		t.Fatalf("second run: %v", err)
	}
	api.mu.Lock()
	made := len(api.transfers)
	api.mu.Unlock()
	if made != 2 {
		t.Fatalf("%d transfers made, want bob's and short's", made)
	}
	if balance(payouts.InFlight("stripe")) != 0 || balance(payouts.PaidOut("stripe")) != 3000 || balance(creator("short")) != 0 {
		t.Fatalf("after the second run: in flight %d, paid %d, short %d", balance(payouts.InFlight("stripe")), balance(payouts.PaidOut("stripe")), balance(creator("short")))
	}
	// The creator whose account is gone was retried in the second run's
	// batch and failed again: the money stays theirs.
	if balance(creator("gone")) != 1500 {
		t.Fatalf("gone holds %d, want 1500", balance(creator("gone")))
	}
	r, err := l.Check(ctx)
	if err != nil || len(r.Violations) != 0 {
		t.Fatalf("ledger check: %+v, %v", r, err)
	}
}

// TestConnectSendIsIdempotent: sending one payout twice (a lost answer)
// makes one transfer and answers the same id.
func TestConnectSendIsIdempotent(t *testing.T) {
	api := &standIn{t: t, transfers: map[string]map[string]any{}}
	srv := httptest.NewServer(api)
	defer srv.Close()
	connect, err := stripe.NewConnect(stripe.Options{SecretKey: "sk_test_plaudit", APIURL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := app.Payout{Key: "B20261210090000-0123456789abcdef", BatchID: "B20261210090000", CreatorURI: "https://plaudit.example/users/bob",
		Amount: app.Money{Minor: 1234, Currency: "EUR"}, Details: app.PayoutDetails{StripeAccount: "acct_1QPlauditCreator"}}
	a, err := connect.Send(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	b, err := connect.Send(context.Background(), p)
	if err != nil || a != b || len(api.transfers) != 1 || api.transfers[p.Key] == nil {
		t.Fatalf("second send: %q, %v; first %q; transfers by idempotency key %v", b, err, a, api.transfers)
	}
	if tr := api.transfers[p.Key]; tr["amount"] != int64(1234) || tr["destination"] != "acct_1QPlauditCreator" || tr["currency"] != "eur" ||
		tr["transfer_group"] != p.BatchID {
		t.Fatalf("transfer made %v", tr)
	}
	if _, err := connect.Send(context.Background(), app.Payout{Key: "k", Amount: p.Amount}); app.ErrorCode(err) != app.EINVALID {
		t.Errorf("no account: %v", err)
	}
	if _, err := stripe.NewConnect(stripe.Options{SecretKey: "pk_live"}); err == nil {
		t.Error("a publishable key was taken for a secret key")
	}
}
