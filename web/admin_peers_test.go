package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

// peersFake is one peer, peer.example, with November answered both ways
// (this server owes it 3.00 net) and December still open.
type peersFake struct{ confirmed []string }

func (p *peersFake) Nettings(context.Context, string, string) ([]app.Netting, error) {
	return []app.Netting{
		{PeerHost: "peer.example", Month: "2026-11", Currency: "EUR", Outgoing: 500, Incoming: 200, Net: 300},
		{PeerHost: "peer.example", Month: "2026-12", Currency: "EUR", Outgoing: 100, Open: 1, Net: 100},
	}, nil
}

func (p *peersFake) Statements(_ context.Context, direction, _, _ string) ([]app.Statement, error) {
	if direction == app.StatementOut {
		return []app.Statement{{PeerHost: "peer.example", Month: "2026-11", Direction: direction, Version: 1, Currency: "EUR", Total: 500, State: app.StatementAccepted},
			{PeerHost: "peer.example", Month: "2026-12", Direction: direction, Version: 1, Currency: "EUR", Total: 100, State: app.StatementOffered}}, nil
	}
	return []app.Statement{{PeerHost: "peer.example", Month: "2026-11", Direction: direction, Version: 2, Currency: "EUR", Total: 200, State: app.StatementAccepted}}, nil
}

func (p *peersFake) PeerOf(context.Context, string) (*app.Peer, error) {
	return &app.Peer{Host: "peer.example", Settles: true, Currency: "EUR", CheckedAt: time.Now()}, nil
}

func (p *peersFake) Confirm(_ context.Context, host, month string, amount app.Money, ref string) (*app.Settlement, error) {
	switch {
	case ref == "":
		return nil, app.Errorf(app.EINVALID, "a settlement needs the transfer's reference")
	case amount.Minor != 300:
		return nil, app.Errorf(app.EINVALID, "the net is 3.00, not %s", amount.Decimal())
	}
	p.confirmed = append(p.confirmed, host+" "+month+" "+amount.Decimal()+" "+ref)
	return &app.Settlement{PeerHost: host, Month: month}, nil
}

func (p *peersFake) RemoteHost(context.Context, string) (*app.RemoteHost, error) {
	seen := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	return &app.RemoteHost{Host: "peer.example", LastSuccessAt: &seen}, nil
}

func TestAdminPeers(t *testing.T) {
	peers := &peersFake{}
	f := &adminFixture{}
	f.server = newServer(t, nil, func(d *web.Deps, _ *accounts.Service, _ *store.Store) {
		d.Currency = "EUR"
		d.Admin = web.AdminPages{Peers: peers}
	})
	f.mustUser(t, "alice", true)
	alice := f.signIn(t, "alice")
	body := f.page(t, alice, "/admin/peers", http.StatusOK)
	peer := between(body, `id="peer-peer.example"`, "</section>")
	for _, want := range []string{"reachable", "2026-12-01 10:00 UTC", "sent v1: €5.00, accepted", "received v2: €2.00, accepted",
		"€3.00: this server pays peer.example", "1 statement(s) not answered yet", `action="/admin/peers/peer.example/2026-11/settle"`} {
		if !strings.Contains(peer, want) {
			t.Errorf("the peer's section lacks %q:\n%s", want, peer)
		}
	}
	if strings.Contains(peer, `action="/admin/peers/peer.example/2026-12/settle"`) {
		t.Error("December, still open, can be settled")
	}
	const key = "settle-peer.example/2026-11"
	resp, body := f.post(t, alice, "/admin/peers", "/admin/peers/peer.example/2026-11/settle", url.Values{"amount": {"2.00"}, "ref": {"wire-1"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="`+key+`-amount-err"`) || !strings.Contains(body, `value="2.00"`) {
		t.Errorf("wrong amount = %d\n%s", resp.StatusCode, body)
	}
	resp, body = f.post(t, alice, "/admin/peers", "/admin/peers/peer.example/2026-11/settle", url.Values{"amount": {"3.00"}, "ref": {""}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="`+key+`-ref-err"`) {
		t.Errorf("no reference = %d\n%s", resp.StatusCode, body)
	}
	checkPage(t, resp.Header, body)
	resp, _ = f.post(t, alice, "/admin/peers", "/admin/peers/peer.example/2026-11/settle", url.Values{"amount": {"3.00"}, "ref": {"wire-1"}})
	if resp.StatusCode != http.StatusSeeOther || len(peers.confirmed) != 1 || peers.confirmed[0] != "peer.example 2026-11 3.00 wire-1" {
		t.Errorf("confirm = %d, confirmed %v", resp.StatusCode, peers.confirmed)
	}
}
