package settlement

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
)

// Nettings lists, per peer and month, the accepted statements both ways,
// what nets out and who pays whom, with the settlement once confirmed
// (host and month narrow it when not ""): what `plaudit settlement list`
// shows.
func (s *Service) Nettings(ctx context.Context, host, month string) ([]app.Netting, error) {
	ns, err := s.d.Store.Nettings(ctx, host, month)
	if err != nil {
		return nil, fmt.Errorf("nettings: %w", err)
	}
	return ns, nil
}

// netting is the one netting of host and month.
func (s *Service) netting(ctx context.Context, host, month string) (*app.Netting, error) {
	ns, err := s.d.Store.Nettings(ctx, host, month)
	if err != nil {
		return nil, err
	}
	if len(ns) == 0 {
		return nil, app.Errorf(app.ENOTFOUND, "no statements with %s for %s", host, month)
	}
	return &ns[0], nil
}

// Confirm records that the net of month with host was transferred, under
// the transfer's reference: amount must be the net (what the side that
// owes paid). Both ways' statements must be answered. The ledger clears
// the payable and receivable of the month with the peer against the money
// that moved, the creators' pending earnings from the peer for the month
// become their balances, and the peer is told in a signed message, on
// which it records the same. Confirming again with the same amount
// changes nothing.
func (s *Service) Confirm(ctx context.Context, host, month string, amount app.Money, ref string) (*app.Settlement, error) {
	if ref == "" {
		return nil, app.Errorf(app.EINVALID, "a settlement needs the transfer's reference")
	}
	if amount.Currency != s.d.Ledger.Currency() {
		return nil, app.Errorf(app.EINVALID, "settlements here are in %s, not %s", s.d.Ledger.Currency(), amount.Currency)
	}
	if amount.Minor < 0 {
		return nil, app.Errorf(app.EINVALID, "the amount transferred is %s: give it without sign", amount)
	}
	peer, err := s.d.Store.Peer(ctx, host)
	if err != nil {
		return nil, fmt.Errorf("settle %s with %s: %w", month, host, err)
	}
	n, err := s.netting(ctx, host, month)
	if err != nil {
		return nil, fmt.Errorf("settle %s with %s: %w", month, host, err)
	}
	if err := s.checkNet(n, amount.Minor); err != nil {
		return nil, err
	}
	if n.Settlement != nil {
		return n.Settlement, nil
	}
	st := &app.Settlement{PeerHost: host, Month: month, Currency: amount.Currency, Outgoing: n.Outgoing, Incoming: n.Incoming,
		Net: n.Net, Reference: ref, URI: s.d.IDs.Settlement(month, host), ConfirmedBy: "here", CreatedAt: s.d.Now().UTC()}
	if st.Document, err = s.d.Messenger.SignSettlement(ctx, st, peer); err != nil {
		return nil, fmt.Errorf("settle %s with %s: %w", month, host, err)
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		recorded, err := s.record(ctx, st)
		if err != nil || !recorded {
			return err
		}
		return s.d.Messenger.Settled(ctx, st, peer)
	})
	if err != nil {
		return nil, fmt.Errorf("settle %s with %s: %w", month, host, err)
	}
	return st, nil
}

// checkNet refuses a month with statements open, one with nothing
// accepted, and an amount that is not the net.
func (s *Service) checkNet(n *app.Netting, amount int64) error {
	switch {
	case n.Open > 0:
		return app.Errorf(app.EINVALID, "%d statements of %s with %s are not answered yet", n.Open, n.Month, n.PeerHost)
	case n.Outgoing == 0 && n.Incoming == 0:
		return app.Errorf(app.EINVALID, "no statement of %s with %s was accepted: there is nothing to settle", n.Month, n.PeerHost)
	}
	net := n.Net
	if net < 0 {
		net = -net
	}
	if amount != net {
		return app.Errorf(app.EINVALID, "the net of %s with %s is %s (%s), not %s", n.Month, n.PeerHost,
			app.Money{Minor: net, Currency: n.Currency}, whoPays(n), app.Money{Minor: amount, Currency: n.Currency})
	}
	if n.Settlement != nil && n.Settlement.Net != n.Net {
		return app.Errorf(app.ECONFLICT, "%s with %s was settled for a net of %d already", n.Month, n.PeerHost, n.Settlement.Net)
	}
	return nil
}

func whoPays(n *app.Netting) string {
	switch {
	case n.Net > 0:
		return "this instance pays " + n.PeerHost
	case n.Net < 0:
		return n.PeerHost + " pays this instance"
	}
	return "nothing moves"
}

// record writes a settlement: its row and its ledger transaction, which
// clears the month's payable and receivable with the peer against the
// money moved and turns the creators' pending earnings of the month from
// the peer into their balances. False when the month was settled already.
func (s *Service) record(ctx context.Context, st *app.Settlement) (bool, error) {
	st.LedgerKey = "settlement:" + st.PeerHost + ":" + st.Month
	inserted, err := s.d.Store.InsertSettlement(ctx, st)
	if err != nil || !inserted {
		return false, err
	}
	credits, err := s.d.Store.CreditsOf(ctx, st.PeerHost, st.Month)
	if err != nil {
		return false, err
	}
	var ps []app.Posting
	add := func(kind, key string, amount int64) {
		if amount != 0 {
			ps = append(ps, app.Posting{Account: app.Account{Kind: kind, Key: key}, Amount: amount})
		}
	}
	add(app.AccountPayable, st.PeerHost, -st.Outgoing)
	add(app.AccountReceivable, st.PeerHost, st.Incoming)
	if st.Net > 0 {
		add(app.AccountMoneyOut, "settlement "+st.PeerHost, st.Net)
	} else {
		add(app.AccountMoneyIn, "settlement "+st.PeerHost, st.Net)
	}
	for _, c := range credits {
		add(app.AccountCreatorPending, app.PendingKey(st.PeerHost, c.CreatorURI), -c.Amount)
		add(app.AccountCreator, c.CreatorURI, c.Amount)
	}
	if len(ps) == 0 {
		return true, nil
	}
	_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: st.LedgerKey, Kind: "settlement", Memo: "settlement " + st.Month + " with " + st.PeerHost + " ref " + st.Reference,
		Currency: st.Currency, Postings: ps})
	return true, err
}

// ErrNotYet is returned (wrapped) for a peer's settlement that arrived
// before a statement or an answer it depends on: it is no app error, so
// the inbox tries it again later.
var ErrNotYet = errors.New("not yet: a statement or its answer is still on its way")

// PeerSettlement is a settlement a peer confirmed and told this instance
// of, as federation read and verified it.
type PeerSettlement struct {
	URI       string
	Sender    string // the actor that sent and signed it
	Month     string
	Currency  string
	Payer     string // the instance actor that paid
	Payee     string
	Amount    int64
	Reference string
	Document  []byte
}

// Settled records a settlement the peer confirmed: it must come from the
// peer's instance actor and match this instance's own net for the month
// (who pays whom, and how much); then it is written as Confirm writes it.
// A repeat changes nothing.
func (s *Service) Settled(ctx context.Context, in PeerSettlement) (*app.Settlement, error) {
	peer, err := s.peerOfURI(ctx, in.URI)
	if err != nil {
		return nil, fmt.Errorf("settlement %s: %w", in.URI, err)
	}
	if peer.InstanceActor == "" || in.Sender != peer.InstanceActor {
		return nil, app.Errorf(app.EFORBIDDEN, "settlement %s is from %s, not from %s's instance actor", in.URI, in.Sender, peer.Host)
	}
	if in.Currency != s.d.Ledger.Currency() {
		return nil, app.Errorf(app.EINVALID, "settlement %s is in %s; this instance settles in %s", in.URI, in.Currency, s.d.Ledger.Currency())
	}
	n, err := s.netting(ctx, peer.Host, in.Month)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		// The peer's statement may still be on its way: try again later.
		return nil, fmt.Errorf("settlement %s: %w", in.URI, ErrNotYet)
	case err != nil:
		return nil, fmt.Errorf("settlement %s: %w", in.URI, err)
	case n.Open > 0:
		// An answer to a statement may still be on its way.
		return nil, fmt.Errorf("settlement %s: %d statements of %s with %s are not answered here yet: %w", in.URI, n.Open, in.Month, peer.Host, ErrNotYet)
	}
	me := s.d.IDs
	var net int64 // what this instance paid
	switch {
	case in.Payer == peer.InstanceActor && me.IsLocal(in.Payee):
		net = -in.Amount
	case in.Payee == peer.InstanceActor && me.IsLocal(in.Payer):
		net = in.Amount
	default:
		return nil, app.Errorf(app.EINVALID, "settlement %s is between %s and %s, not between %s and this instance", in.URI, in.Payer, in.Payee, peer.Host)
	}
	if n.Net != net && !(n.Net == 0 && net == 0) {
		return nil, app.Errorf(app.EINVALID, "settlement %s says this instance paid %d; its own net of %s with %s is %d", in.URI, net, in.Month, peer.Host, n.Net)
	}
	if err := s.checkNet(n, max(net, -net)); err != nil {
		return nil, err
	}
	if n.Settlement != nil {
		return n.Settlement, nil
	}
	st := &app.Settlement{PeerHost: peer.Host, Month: in.Month, Currency: in.Currency, Outgoing: n.Outgoing, Incoming: n.Incoming,
		Net: n.Net, Reference: in.Reference, URI: in.URI, ConfirmedBy: "peer", Document: in.Document, CreatedAt: s.d.Now().UTC()}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		_, err := s.record(ctx, st)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("settlement %s: %w", in.URI, err)
	}
	return st, nil
}
