package web

import (
	"context"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
)

// AdminPeers are the settlement use cases the peers page shows
// (app/settlement.Service) and what is known of each peer's reachability
// (the delivery bookkeeping of hosts).
type AdminPeers interface {
	Nettings(ctx context.Context, host, month string) ([]app.Netting, error)
	Statements(ctx context.Context, direction, host, month string) ([]app.Statement, error)
	PeerOf(ctx context.Context, host string) (*app.Peer, error)
	Confirm(ctx context.Context, host, month string, amount app.Money, ref string) (*app.Settlement, error)
	RemoteHost(ctx context.Context, host string) (*app.RemoteHost, error)
}

// adminPeerRoutes adds the peers page when AdminPages.Peers is set.
func (s *Server) adminPeerRoutes(a *gin.RouterGroup) {
	if s.deps.Admin.Peers == nil {
		return
	}
	a.GET("/peers", s.adminPeers)
	a.POST("/peers/:host/:month/settle", s.postSettle)
}

// peerRow is a peer on the peers page: its reachability and its months.
type peerRow struct {
	Host, Reachable, LastDelivery, Checked string
	Settles                                bool
	Months                                 []peerMonth
}

// peerMonth is a month with a peer: its statements and its netting.
type peerMonth struct {
	Month, Outgoing, Incoming, Net, Who, NetDecimal, Settled, Key string
	Statements                                                    []string
	Settleable                                                    bool
}

// adminPeers is GET /admin/peers.
func (s *Server) adminPeers(c *gin.Context) {
	s.renderPeers(c, newAdminForm(c))
}

func (s *Server) renderPeers(c *gin.Context, f adminForm) {
	ctx, locale, peers := c.Request.Context(), localeOf(c), s.deps.Admin.Peers
	nettings, err := peers.Nettings(ctx, "", "")
	if err != nil {
		s.fail(c, err)
		return
	}
	byHost := map[string]*peerRow{}
	row := func(host string) *peerRow {
		if r, ok := byHost[host]; ok {
			return r
		}
		r := &peerRow{Host: host}
		byHost[host] = r
		return r
	}
	states := map[string][]string{} // host month → "out v1 accepted"…
	for _, dir := range []string{app.StatementOut, app.StatementIn} {
		list, err := peers.Statements(ctx, dir, "", "")
		if err != nil {
			s.fail(c, err)
			return
		}
		for _, st := range list {
			row(st.PeerHost)
			k := st.PeerHost + " " + st.Month
			states[k] = append(states[k], statementLabel(st, locale))
		}
	}
	for _, n := range nettings {
		r := row(n.PeerHost)
		r.Months = append(r.Months, nettingRow(n, states[n.PeerHost+" "+n.Month], locale))
	}
	out := make([]peerRow, 0, len(byHost))
	for host, r := range byHost {
		if err := s.describePeer(ctx, host, r); err != nil {
			s.fail(c, err)
			return
		}
		sort.Slice(r.Months, func(i, j int) bool { return r.Months[i].Month > r.Months[j].Month })
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Host < out[j].Host })
	s.renderAdmin(c, "admin_peers.html", "peers", "Peers", f, gin.H{"Peers": out, "Currency": s.deps.Currency})
}

func statementLabel(st app.Statement, locale string) string {
	dir := "sent"
	if st.Direction == app.StatementIn {
		dir = "received"
	}
	return dir + " v" + strconv.Itoa(st.Version) + ": " + app.Money{Minor: st.Total, Currency: st.Currency}.Format(locale) + ", " + st.State
}

func nettingRow(n app.Netting, statements []string, locale string) peerMonth {
	m := func(minor int64) string { return app.Money{Minor: minor, Currency: n.Currency}.Format(locale) }
	net := n.Net
	who := "nothing to transfer"
	switch {
	case net > 0:
		who = "this server pays " + n.PeerHost
	case net < 0:
		who = n.PeerHost + " pays this server"
		net = -net
	}
	pm := peerMonth{Month: n.Month, Outgoing: m(n.Outgoing), Incoming: m(n.Incoming), Net: m(net), Who: who,
		NetDecimal: app.Money{Minor: net, Currency: n.Currency}.Decimal(), Statements: statements, Key: n.PeerHost + "/" + n.Month}
	switch {
	case n.Settlement != nil:
		pm.Settled = "settled (" + n.Settlement.Reference + ", confirmed " + n.Settlement.ConfirmedBy + ")"
	case n.Open > 0:
		pm.Settled = strconv.Itoa(n.Open) + " statement(s) not answered yet"
	default:
		pm.Settleable = true
	}
	return pm
}

// describePeer fills r with what is known of host: whether it settles,
// when it was checked, and its reachability.
func (s *Server) describePeer(ctx context.Context, host string, r *peerRow) error {
	const when = "2006-01-02 15:04 UTC"
	p, err := s.deps.Admin.Peers.PeerOf(ctx, host)
	switch {
	case err == nil:
		r.Settles, r.Checked = p.Settles, p.CheckedAt.UTC().Format(when)
	case !errors.Is(err, app.ErrNotFound):
		return err
	}
	h, err := s.deps.Admin.Peers.RemoteHost(ctx, host)
	switch {
	case errors.Is(err, app.ErrNotFound):
		r.Reachable, r.LastDelivery = "no delivery yet", "never"
		return nil
	case err != nil:
		return err
	}
	r.Reachable, r.LastDelivery = "reachable", "never"
	if h.UnreachableSince != nil {
		r.Reachable = "unreachable since " + h.UnreachableSince.UTC().Format(when)
	} else if h.Failures > 0 {
		r.Reachable = "failing (" + strconv.Itoa(h.Failures) + " failures)"
	}
	if h.LastSuccessAt != nil {
		r.LastDelivery = h.LastSuccessAt.UTC().Format(when)
	}
	return nil
}

// postSettle is POST /admin/peers/:host/:month/settle (amount, ref): the
// net of the month was transferred.
func (s *Server) postSettle(c *gin.Context) {
	host, month := c.Param("host"), c.Param("month")
	f := typed(c, "settle-"+host+"/"+month, "amount", "ref")
	ref := strings.TrimSpace(f.Values["ref"])
	amount, err := app.ParseMoney(strings.TrimSpace(f.Values["amount"]), s.deps.Currency)
	if err != nil {
		s.refuse(c, err, f, "amount", s.renderPeers)
		return
	}
	if _, err := s.deps.Admin.Peers.Confirm(c.Request.Context(), host, month, amount, ref); err != nil {
		field := "amount"
		if ref == "" {
			field = "ref"
		}
		s.refuse(c, err, f, field, s.renderPeers)
		return
	}
	logger(c).Info("settlement confirmed", "peer", host, "month", month, "by", currentUser(c).Username)
	done(c, "/admin/peers", "settled")
}
