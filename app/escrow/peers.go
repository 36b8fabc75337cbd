package escrow

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/plaudit/plaudit/app"
)

// PeerStore is what claims across servers read and write (implemented
// by store.Settlements and store.Months).
type PeerStore interface {
	Peer(ctx context.Context, host string) (*app.Peer, error)
	Statements(ctx context.Context, direction, host, month string) ([]app.Statement, error)
	SavePeerClaim(ctx context.Context, c *app.PeerClaim, at time.Time) error
	InsertPeerEscrowLines(ctx context.Context, month, peer, claimant string, lines []app.CloseLine) error
	EscrowLinesOf(ctx context.Context, d app.EscrowDebt) ([]app.CloseLine, error)
	RecordClaimNotice(ctx context.Context, id int64, peer string, at time.Time) (bool, error)
	PeersToTell(ctx context.Context, currency string) (map[int64][]string, error)
	ClaimByID(ctx context.Context, id int64) (*app.Claim, error)
}

// ClaimChecker checks, by fetching both actors, that a claim made on a
// peer holds: the claimant names the account, and the account links back.
type ClaimChecker interface {
	ClaimHolds(ctx context.Context, claimant, subject string) (bool, string, error)
}

// ClaimMessenger tells a peer of a verified claim made here (federation:
// a signed Claim from the instance actor), inside the transaction that
// records it.
type ClaimMessenger interface {
	ClaimNotice(ctx context.Context, c *app.Claim, peer *app.Peer) error
}

// PeerDeps are what claims across servers need besides Deps.
type PeerDeps struct {
	Store     PeerStore
	Checker   ClaimChecker
	Messenger ClaimMessenger
	// Months tells which months are closed (app/months.Service).
	Months interface {
		CloseDone(ctx context.Context, month string) (bool, error)
	}
}

// WithPeers returns the Service able to take and give claims across
// servers.
func (s *Service) WithPeers(p PeerDeps) *Service {
	s.p = p
	return s
}

// PeerClaimed releases to a peer the escrow this instance holds for an
// account a creator claimed there: the notice must come from the peer's
// instance actor, and the claim must hold on both sides, fetched anew;
// then each funder's part of each month's escrow for the account becomes
// owed to the peer, to travel in the next statement to it as lines naming
// the claimant. A repeat releases nothing twice. It returns how many
// debts it released.
func (s *Service) PeerClaimed(ctx context.Context, pc app.PeerClaim) (int, error) {
	peer, err := s.p.Store.Peer(ctx, pc.PeerHost)
	if err != nil {
		return 0, fmt.Errorf("claim notice %s: %w", pc.URI, err)
	}
	if !peer.Settles || peer.InstanceActor == "" || pc.Sender != peer.InstanceActor {
		return 0, app.Errorf(app.EFORBIDDEN, "claim notice %s is from %s, not from the instance actor of %s, a peer", pc.URI, pc.Sender, pc.PeerHost)
	}
	if u, err := url.Parse(pc.Claimant); err != nil || u.Host != pc.PeerHost {
		return 0, app.Errorf(app.EFORBIDDEN, "claim notice %s names %s, who is not on %s", pc.URI, pc.Claimant, pc.PeerHost)
	}
	ok, why, err := s.p.Checker.ClaimHolds(ctx, pc.Claimant, pc.Subject)
	if err != nil {
		return 0, fmt.Errorf("claim notice %s: %w", pc.URI, err)
	}
	if !ok {
		return 0, app.Errorf(app.EINVALID, "claim notice %s: %s", pc.URI, why)
	}
	if err := s.p.Store.SavePeerClaim(ctx, &pc, s.d.Now()); err != nil {
		return 0, err
	}
	month, err := s.nextStatementMonth(ctx, pc.PeerHost)
	if err != nil {
		return 0, err
	}
	debts, err := s.d.Store.EscrowDebtsOf(ctx, pc.Subject, false)
	if err != nil {
		return 0, fmt.Errorf("claim notice %s: %w", pc.URI, err)
	}
	n := 0
	for _, d := range debts {
		key := "escrow:release:" + d.Month + ":" + d.FunderURI + ":" + d.EscrowKey
		err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
			recorded, err := s.d.Store.RecordEscrowSettlement(ctx, d, "released to "+pc.PeerHost, key)
			if err != nil || !recorded {
				return err
			}
			lines, err := s.p.Store.EscrowLinesOf(ctx, d)
			if err != nil {
				return err
			}
			if err := s.p.Store.InsertPeerEscrowLines(ctx, month, pc.PeerHost, pc.Claimant, lines); err != nil {
				return err
			}
			n++
			_, err = s.d.Ledger.Post(ctx, &app.Transaction{Key: key, Kind: "escrow-release", Memo: "claimed by " + pc.Claimant, Currency: s.d.Ledger.Currency(),
				Postings: []app.Posting{
					{Account: app.Account{Kind: app.AccountEscrow, Key: d.EscrowKey}, Amount: -d.Amount},
					{Account: app.Account{Kind: app.AccountPayable, Key: pc.PeerHost}, Amount: d.Amount},
				}})
			return err
		})
		if err != nil {
			return n, fmt.Errorf("release escrow of %s to %s: %w", d.EscrowKey, pc.PeerHost, err)
		}
	}
	return n, nil
}

// nextStatementMonth is the month whose statement to peer carries escrow
// released now: the first of the previous, this and the next month whose
// statement to peer is not sent yet, skipping a month older than one
// whose close is done (a month closed early, in trials).
func (s *Service) nextStatementMonth(ctx context.Context, peer string) (string, error) {
	now := s.d.Now().UTC()
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	months := []string{app.MonthOf(first.AddDate(0, -1, 0)), app.MonthOf(first), app.MonthOf(first.AddDate(0, 1, 0))}
	if s.p.Months != nil {
		if done, err := s.p.Months.CloseDone(ctx, months[1]); err != nil {
			return "", err
		} else if done {
			months = months[1:]
		}
	}
	for _, m := range months[:len(months)-1] {
		sent, err := s.p.Store.Statements(ctx, app.StatementOut, peer, m)
		if err != nil {
			return "", err
		}
		if len(sent) == 0 {
			return m, nil
		}
	}
	return months[len(months)-1], nil
}

// AnnounceClaims tells every peer, once, of each verified claim made here
// of an account on another server: a peer holding escrow for that account
// releases it to this instance. It returns how many notices it sent.
func (s *Service) AnnounceClaims(ctx context.Context) (int, error) {
	todo, err := s.p.Store.PeersToTell(ctx, s.d.Ledger.Currency())
	if err != nil {
		return 0, fmt.Errorf("announce claims: %w", err)
	}
	n := 0
	for id, hosts := range todo {
		c, err := s.p.Store.ClaimByID(ctx, id)
		if err != nil {
			return n, fmt.Errorf("announce claim %d: %w", id, err)
		}
		for _, host := range hosts {
			peer, err := s.p.Store.Peer(ctx, host)
			if err != nil {
				return n, fmt.Errorf("announce claim %d: %w", id, err)
			}
			if app.HostOf(c.Subject) == host {
				continue // the account is on that peer itself: its own claims cover it
			}
			err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
				recorded, err := s.p.Store.RecordClaimNotice(ctx, id, host, s.d.Now())
				if err != nil || !recorded {
					return err
				}
				n++
				return s.p.Messenger.ClaimNotice(ctx, c, peer)
			})
			if err != nil {
				return n, fmt.Errorf("announce claim %d to %s: %w", id, host, err)
			}
		}
	}
	return n, nil
}
