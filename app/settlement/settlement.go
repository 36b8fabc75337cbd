// Package settlement holds what instances owe each other for flattrs:
// after a month close, a statement to each peer Plaudit server whose
// things were flattred (a line per Like); the peer's reconciliation of
// each line against the Likes it received, answered with an acceptance or
// a dispute; the netting of the accepted statements both ways into one
// amount per peer and month; and the confirmation of the transfer, after
// which the creators' pending earnings from the peer become their
// balances.
package settlement

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists peers, statements and settlements (implemented by
// store.Settlements).
type Store interface {
	SavePeer(ctx context.Context, p *app.Peer) error
	Peer(ctx context.Context, host string) (*app.Peer, error)
	PayableHosts(ctx context.Context, month string) ([]string, error)
	PayableLines(ctx context.Context, month, host string) ([]app.StatementLine, error)
	InsertStatement(ctx context.Context, st *app.Statement, note string) (bool, error)
	Statement(ctx context.Context, uri string, lines bool) (*app.Statement, error)
	Statements(ctx context.Context, direction, host, month string) ([]app.Statement, error)
	SetStatementState(ctx context.Context, uri, state string, reasons []app.Dispute, note string, at time.Time) error
	StatementHistory(ctx context.Context, uri string) ([]app.StatementEvent, error)
	InsertCredits(ctx context.Context, uri string, cs []app.Credit) error
	CreditsOf(ctx context.Context, host, month string) ([]app.Credit, error)
	Nettings(ctx context.Context, host, month string) ([]app.Netting, error)
	InsertSettlement(ctx context.Context, s *app.Settlement) (bool, error)
	Settlement(ctx context.Context, host, month string) (*app.Settlement, error)
	ReceivedFlattrs(ctx context.Context, activityURIs []string) (map[string]*app.Flattr, error)
	LikesInAccepted(ctx context.Context, direction, host string, likeURIs []string) (map[string]string, error)
	VerifiedClaimsOf(ctx context.Context, actorURI string) ([]app.Claim, error)
	FundersOfLikes(ctx context.Context, likeURIs []string) (map[string]string, error)
	ThingsAmong(ctx context.Context, uris []string) (map[string]*app.Thing, error)
	RecipientsAmong(ctx context.Context, uris []string) (map[string][]app.Recipient, error)
}

// Ledger posts transactions (implemented by app/ledger.Service).
type Ledger interface {
	Post(ctx context.Context, t *app.Transaction) (*app.Transaction, error)
	Currency() string
}

// Months tells which months are closed here (implemented by
// app/months.Service): a statement for a month not closed is refused, and
// none is sent before the close is done.
type Months interface {
	Closed(ctx context.Context, month string) (bool, error)
	CloseDone(ctx context.Context, month string) (bool, error)
}

// Directory looks up whether the server at base (scheme and host) is a
// Plaudit server that settles flattrs (federation: its NodeInfo).
type Directory interface {
	Lookup(ctx context.Context, base string) (*app.Peer, error)
}

// Messenger carries statements and settlements to peers and signs them
// (federation: signed activities from the instance actor, with integrity
// proofs). Offer, Answer and Settled are called inside the transaction
// that records what they tell, so the delivery is durable with it.
type Messenger interface {
	// SignStatement returns st's document, signed by this instance.
	SignStatement(ctx context.Context, st *app.Statement, peer *app.Peer) ([]byte, error)
	// Offer sends an outgoing statement to the peer.
	Offer(ctx context.Context, st *app.Statement, peer *app.Peer) error
	// Answer sends the peer this instance's answer to its statement
	// (accepted, or disputed with st.Reasons).
	Answer(ctx context.Context, st *app.Statement, peer *app.Peer) error
	// SignSettlement returns s's document, signed by this instance.
	SignSettlement(ctx context.Context, s *app.Settlement, peer *app.Peer) ([]byte, error)
	// Settled tells the peer of a settlement confirmed here.
	Settled(ctx context.Context, s *app.Settlement, peer *app.Peer) error
	// FetchLike fetches a Like this instance never received from the
	// server that sent it and records it as if delivered.
	FetchLike(ctx context.Context, likeURI string) error
}

// IDs mints the ids of this instance's statements and settlements
// (federation.URLs).
type IDs interface {
	Statement(month, peerHost string, version int) string
	Settlement(month, peerHost string) string
	IsLocal(uri string) bool
	Host() string
}

// Deps are what the Service needs.
type Deps struct {
	Tx        app.Transactor
	Store     Store
	Ledger    Ledger
	Months    Months
	Directory Directory
	Messenger Messenger
	IDs       IDs
	Logger    *slog.Logger
	Now       func() time.Time
	// PeerTTL is how long a peer's NodeInfo answer is kept before it is
	// asked again; 0 means a day.
	PeerTTL time.Duration
	// MaxFetches is how many Likes one reconciliation fetches from the
	// sender at most; 0 means 1000.
	MaxFetches int
}

// Service settles with peers.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.PeerTTL == 0 {
		d.PeerTTL = 24 * time.Hour
	}
	if d.MaxFetches == 0 {
		d.MaxFetches = 1000
	}
	return &Service{d: d}
}

// SettlesWith tells whether host is a peer this instance settles with
// (see Peers).
func (s *Service) SettlesWith(ctx context.Context, host string) (bool, error) {
	return Peers{Store: s.d.Store, Currency: s.d.Ledger.Currency()}.SettlesWith(ctx, host)
}

// Peers tells a month close which servers settle with this one
// (months.Peers): a Plaudit server that said it settles, in this
// instance's currency, with an instance actor. It reads only what
// Discover stored, so a close's rerun sees what its first run saw.
type Peers struct {
	Store interface {
		Peer(ctx context.Context, host string) (*app.Peer, error)
	}
	Currency string
}

// SettlesWith implements months.Peers.
func (p Peers) SettlesWith(ctx context.Context, host string) (bool, error) {
	peer, err := p.Store.Peer(ctx, host)
	switch {
	case app.ErrorCode(err) == app.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, err
	}
	return settles(peer, p.Currency), nil
}

func settles(p *app.Peer, currency string) bool {
	return p.Settles && p.InstanceActor != "" && p.Inbox != "" && p.Currency == currency
}

// Discover asks the servers of uris (actors, things) whether they settle
// flattrs, unless asked within the peer TTL, and stores the answers. A
// server that cannot be reached keeps what was known of it; Unreachable
// lists those of them known of not at all, whose creators a close now
// would treat as on no peer.
func (s *Service) Discover(ctx context.Context, uris []string) error {
	_, err := s.DiscoverAll(ctx, uris)
	return err
}

// DiscoverAll is Discover, returning the hosts that could not be asked
// and are known of not at all.
func (s *Service) DiscoverAll(ctx context.Context, uris []string) ([]string, error) {
	bases := map[string]string{}
	for _, u := range uris {
		p, err := url.Parse(u)
		if err != nil || p.Host == "" || s.d.IDs.IsLocal(u) {
			continue
		}
		bases[p.Host] = p.Scheme + "://" + p.Host
	}
	now := s.d.Now().UTC()
	var unreachable []string
	for host, base := range bases {
		known, err := s.d.Store.Peer(ctx, host)
		if err == nil && now.Sub(known.CheckedAt) < s.d.PeerTTL {
			continue
		}
		unknown := app.ErrorCode(err) == app.ENOTFOUND
		if err != nil && !unknown {
			return unreachable, fmt.Errorf("discover %s: %w", host, err)
		}
		if _, err := s.lookup(ctx, host, base); err != nil {
			s.d.Logger.WarnContext(ctx, "settlement: peer lookup failed", "host", host, "err", err)
			if unknown {
				unreachable = append(unreachable, host)
			}
		}
	}
	sort.Strings(unreachable)
	return unreachable, nil
}

// lookup asks host's server and stores the answer.
func (s *Service) lookup(ctx context.Context, host, base string) (*app.Peer, error) {
	p, err := s.d.Directory.Lookup(ctx, base)
	if err != nil {
		return nil, err
	}
	p.Host, p.CheckedAt = host, s.d.Now().UTC()
	if err := s.d.Store.SavePeer(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

// peer returns what is known of host, asking its server when nothing is.
func (s *Service) peer(ctx context.Context, host, scheme string) (*app.Peer, error) {
	p, err := s.d.Store.Peer(ctx, host)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return s.lookup(ctx, host, scheme+"://"+host)
	}
	return p, err
}

// peerOfURI is the peer that hosts uri.
func (s *Service) peerOfURI(ctx context.Context, uri string) (*app.Peer, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return nil, app.Errorf(app.EINVALID, "%q names no server", uri)
	}
	return s.peer(ctx, u.Host, u.Scheme)
}

// Prepare writes and offers, after month's close, a statement to each
// peer the close owes money: a line per Like (its thing and the amount
// its funder gave), the total, signed. A peer with a statement for the
// month already gets none again. It returns the statements made.
func (s *Service) Prepare(ctx context.Context, month string) ([]*app.Statement, error) {
	done, err := s.d.Months.CloseDone(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("statements of %s: %w", month, err)
	}
	if !done {
		return nil, app.Errorf(app.EINVALID, "%s is not closed yet: statements follow its close", month)
	}
	hosts, err := s.d.Store.PayableHosts(ctx, month)
	if err != nil {
		return nil, fmt.Errorf("statements of %s: %w", month, err)
	}
	var made []*app.Statement
	for _, host := range hosts {
		st, err := s.prepareFor(ctx, month, host)
		if err != nil {
			return made, fmt.Errorf("statement of %s to %s: %w", month, host, err)
		}
		if st != nil {
			made = append(made, st)
		}
	}
	return made, nil
}

func (s *Service) prepareFor(ctx context.Context, month, host string) (*app.Statement, error) {
	sent, err := s.d.Store.Statements(ctx, app.StatementOut, host, month)
	if err != nil || len(sent) > 0 {
		return nil, err
	}
	peer, err := s.d.Store.Peer(ctx, host)
	if err != nil {
		return nil, err
	}
	lines, err := s.d.Store.PayableLines(ctx, month, host)
	if err != nil {
		return nil, err
	}
	now := s.d.Now().UTC()
	st := &app.Statement{URI: s.d.IDs.Statement(month, host, 1), Direction: app.StatementOut, PeerHost: host, Month: month,
		Version: 1, Currency: s.d.Ledger.Currency(), Lines: lines, State: app.StatementOffered, CreatedAt: now, UpdatedAt: now}
	for _, l := range lines {
		st.Total += l.Amount
	}
	st.LineCount = int64(len(lines))
	if st.Document, err = s.d.Messenger.SignStatement(ctx, st, peer); err != nil {
		return nil, err
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		inserted, err := s.d.Store.InsertStatement(ctx, st, "sent to "+peer.InstanceActor)
		if err != nil || !inserted {
			return err
		}
		return s.d.Messenger.Offer(ctx, st, peer)
	})
	return st, err
}

// Reoffer sends again the outgoing statements not answered yet (a peer
// that had not closed the month refused them): the body of the hourly
// job. It returns how many it sent.
func (s *Service) Reoffer(ctx context.Context, olderThan time.Duration) (int, error) {
	sts, err := s.d.Store.Statements(ctx, app.StatementOut, "", "")
	if err != nil {
		return 0, fmt.Errorf("reoffer statements: %w", err)
	}
	n := 0
	for i := range sts {
		st := &sts[i]
		if st.State != app.StatementOffered || s.d.Now().Sub(st.UpdatedAt) < olderThan {
			continue
		}
		peer, err := s.d.Store.Peer(ctx, st.PeerHost)
		if err != nil {
			return n, fmt.Errorf("reoffer %s: %w", st.URI, err)
		}
		full, err := s.d.Store.Statement(ctx, st.URI, true)
		if err != nil {
			return n, fmt.Errorf("reoffer %s: %w", st.URI, err)
		}
		err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
			if err := s.d.Store.SetStatementState(ctx, st.URI, app.StatementOffered, nil, "offered again", s.d.Now()); err != nil {
				return err
			}
			return s.d.Messenger.Offer(ctx, full, peer)
		})
		if err != nil {
			return n, fmt.Errorf("reoffer %s: %w", st.URI, err)
		}
		n++
	}
	return n, nil
}

// Answer is a peer's answer to a statement this instance sent.
type Answer struct {
	StatementURI string
	By           string // the actor that answered
	Accepted     bool
	Reasons      []app.Dispute
}

// Answered records a peer's answer to an outgoing statement. An answer
// from anyone but the peer's instance actor is refused; a repeated
// answer changes nothing.
func (s *Service) Answered(ctx context.Context, a Answer) error {
	st, err := s.d.Store.Statement(ctx, a.StatementURI, false)
	if err != nil {
		return fmt.Errorf("answer to %s: %w", a.StatementURI, err)
	}
	if st.Direction != app.StatementOut {
		return app.Errorf(app.EINVALID, "%s is not a statement this instance sent", a.StatementURI)
	}
	peer, err := s.d.Store.Peer(ctx, st.PeerHost)
	if err != nil {
		return fmt.Errorf("answer to %s: %w", a.StatementURI, err)
	}
	if a.By != peer.InstanceActor {
		return app.Errorf(app.EFORBIDDEN, "only %s answers statements to %s, not %s", peer.InstanceActor, st.PeerHost, a.By)
	}
	state, note := app.StatementAccepted, "accepted by "+a.By
	if !a.Accepted {
		state, note = app.StatementDisputed, fmt.Sprintf("disputed by %s: %d reasons", a.By, len(a.Reasons))
	}
	if st.State == state || st.State == app.StatementSuperseded {
		return nil
	}
	if _, err := s.d.Store.Settlement(ctx, st.PeerHost, st.Month); err == nil {
		return app.Errorf(app.ECONFLICT, "%s with %s is settled already; the answer to %s comes too late", st.Month, st.PeerHost, st.URI)
	}
	return s.d.Store.SetStatementState(ctx, st.URI, state, a.Reasons, note, s.d.Now())
}

// Statement loads a statement with its lines (for serving it by id).
func (s *Service) Statement(ctx context.Context, uri string) (*app.Statement, error) {
	return s.d.Store.Statement(ctx, uri, true)
}

// History lists a statement's states, oldest first.
func (s *Service) History(ctx context.Context, uri string) ([]app.StatementEvent, error) {
	return s.d.Store.StatementHistory(ctx, uri)
}

// Statements lists statements of a direction (app.StatementOut or In),
// narrowed to host and month when not "".
func (s *Service) Statements(ctx context.Context, direction, host, month string) ([]app.Statement, error) {
	return s.d.Store.Statements(ctx, direction, host, month)
}

// PeerOf is what is known of host.
func (s *Service) PeerOf(ctx context.Context, host string) (*app.Peer, error) {
	return s.d.Store.Peer(ctx, host)
}
