package settlement

import (
	"context"
	"fmt"
	"sort"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/months"
)

// Incoming is a statement a peer sent, as federation read and verified
// it: the proof on Document checks out and is by Sender.
type Incoming struct {
	Statement *app.Statement
	Sender    string // the actor that sent and signed it
}

// Receive reconciles a statement from a peer against the flattrs this
// instance received: every line must name a Like from the peer's server
// that was received (a Like not received is fetched from the sender
// first), still stands, is of the statement's month and of a thing here;
// the lines must add up to the total, in this instance's currency. A
// matching statement is accepted: the total becomes receivable from the
// peer and each line's amount pending for the thing's creators, split by
// their shares. Anything else is disputed with a reason per failing line.
// Either way the answer goes back to the peer. A statement from anyone
// but the peer's instance actor, or for a month not closed here, is
// refused and nothing is written. A statement received before is
// answered again as it was.
func (s *Service) Receive(ctx context.Context, in Incoming) (*app.Statement, error) {
	st := in.Statement
	peer, err := s.peerOfURI(ctx, st.URI)
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", st.URI, err)
	}
	if peer.InstanceActor == "" || in.Sender != peer.InstanceActor {
		return nil, app.Errorf(app.EFORBIDDEN, "statement %s is from %s, not from %s's instance actor (%s)", st.URI, in.Sender, peer.Host, peer.InstanceActor)
	}
	st.Direction, st.PeerHost = app.StatementIn, peer.Host
	closed, err := s.d.Months.Closed(ctx, st.Month)
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", st.URI, err)
	}
	if !closed {
		return nil, app.Errorf(app.EINVALID, "statement %s is for %s, which is not closed here yet: send it again after the close", st.URI, st.Month)
	}
	if known, err := s.d.Store.Statement(ctx, st.URI, false); err == nil {
		return known, s.d.Tx.WithTx(ctx, func(ctx context.Context) error { return s.d.Messenger.Answer(ctx, known, peer) })
	} else if app.ErrorCode(err) != app.ENOTFOUND {
		return nil, fmt.Errorf("statement %s: %w", st.URI, err)
	}
	earlier, err := s.d.Store.Statements(ctx, app.StatementIn, peer.Host, st.Month)
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", st.URI, err)
	}
	st.Version = len(earlier) + 1 // the order received in
	r, err := s.reconcile(ctx, st, peer)
	if err != nil {
		return nil, fmt.Errorf("reconcile %s: %w", st.URI, err)
	}
	now := s.d.Now().UTC()
	st.CreatedAt, st.UpdatedAt, st.LineCount = now, now, int64(len(st.Lines))
	st.State, st.Reasons = app.StatementAccepted, r.disputes
	if len(r.disputes) > 0 {
		st.State = app.StatementDisputed
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if st.Supersedes != "" {
			if err := s.supersede(ctx, st); err != nil {
				return err
			}
		}
		inserted, err := s.d.Store.InsertStatement(ctx, st, "received from "+in.Sender)
		if err != nil {
			return err
		}
		if !inserted {
			return app.Errorf(app.ECONFLICT, "another statement from %s for %s arrived at the same time; try again", peer.Host, st.Month)
		}
		if st.State == app.StatementAccepted {
			if err := s.credit(ctx, st, r.credits); err != nil {
				return err
			}
		}
		return s.d.Messenger.Answer(ctx, st, peer)
	})
	if err != nil {
		return nil, fmt.Errorf("statement %s: %w", st.URI, err)
	}
	return st, nil
}

// supersede marks the statement st corrects as superseded; correcting an
// accepted statement is refused as a dispute of st.
func (s *Service) supersede(ctx context.Context, st *app.Statement) error {
	old, err := s.d.Store.Statement(ctx, st.Supersedes, false)
	if app.ErrorCode(err) == app.ENOTFOUND {
		return nil // nothing to replace: st stands alone
	}
	if err != nil {
		return err
	}
	switch {
	case old.Direction != app.StatementIn || old.PeerHost != st.PeerHost || old.Month != st.Month:
		st.State = app.StatementDisputed
		st.Reasons = append(st.Reasons, app.Dispute{Line: -1, Reason: "it supersedes " + old.URI + ", which is not a statement from the same server for the same month"})
		return nil
	case old.State == app.StatementAccepted:
		st.State = app.StatementDisputed
		st.Reasons = append(st.Reasons, app.Dispute{Line: -1, Reason: old.URI + " was accepted; it cannot be superseded"})
		return nil
	case old.State == app.StatementSuperseded:
		return nil
	}
	return s.d.Store.SetStatementState(ctx, old.URI, app.StatementSuperseded, old.Reasons, "superseded by "+st.URI, s.d.Now())
}

// credit writes an accepted statement to the ledger: the total receivable
// from the peer, each creator's part pending.
func (s *Service) credit(ctx context.Context, st *app.Statement, credits []app.Credit) error {
	postings := []app.Posting{{Account: app.Account{Kind: app.AccountReceivable, Key: st.PeerHost}, Amount: -st.Total}}
	for _, c := range credits {
		postings = append(postings, app.Posting{Account: app.Account{Kind: app.AccountCreatorPending, Key: app.PendingKey(st.PeerHost, c.CreatorURI)}, Amount: c.Amount})
	}
	if st.Total == 0 {
		return nil
	}
	if _, err := s.d.Ledger.Post(ctx, &app.Transaction{Key: "statement:" + st.URI, Kind: "statement", Memo: "statement " + st.Month + " from " + st.PeerHost,
		Currency: st.Currency, Postings: postings}); err != nil {
		return err
	}
	return s.d.Store.InsertCredits(ctx, st.URI, credits)
}

type reconciliation struct {
	disputes []app.Dispute
	credits  []app.Credit
}

// reconcile checks st's lines against the flattrs received and splits
// the matching ones over their things' creators.
func (s *Service) reconcile(ctx context.Context, st *app.Statement, peer *app.Peer) (*reconciliation, error) {
	r := &reconciliation{}
	dispute := func(i int, like, reason string) {
		r.disputes = append(r.disputes, app.Dispute{Line: i, LikeURI: like, Reason: reason})
	}
	if cur := s.d.Ledger.Currency(); st.Currency != cur {
		dispute(-1, "", fmt.Sprintf("the statement is in %s; %s settles in %s", st.Currency, s.d.IDs.Host(), cur))
		return r, nil
	}
	var sum int64
	likes := make([]string, 0, len(st.Lines))
	seen := make(map[string]int, len(st.Lines))
	for i, l := range st.Lines {
		sum += l.Amount
		if first, dup := seen[l.LikeURI]; dup {
			dispute(i, l.LikeURI, fmt.Sprintf("the Like is on line %d already", first))
			continue
		}
		seen[l.LikeURI] = i
		likes = append(likes, l.LikeURI)
	}
	if sum != st.Total {
		dispute(-1, "", fmt.Sprintf("the lines add up to %d, not to the total %d", sum, st.Total))
	}
	got, err := s.d.Store.ReceivedFlattrs(ctx, likes)
	if err != nil {
		return nil, err
	}
	paid, err := s.d.Store.LikesInAccepted(ctx, app.StatementIn, peer.Host, likes)
	if err != nil {
		return nil, err
	}
	if err := s.fetchMissing(ctx, st, got); err != nil {
		return nil, err
	}
	thingURIs := make([]string, 0, len(st.Lines))
	for _, l := range st.Lines {
		thingURIs = append(thingURIs, l.ThingURI)
	}
	things, err := s.d.Store.ThingsAmong(ctx, uniq(thingURIs))
	if err != nil {
		return nil, err
	}
	byCreator := map[string]int64{}
	var matched []int
	for i, l := range st.Lines {
		if seen[l.LikeURI] != i {
			continue // disputed as a repeat
		}
		if other, ok := paid[l.LikeURI]; ok {
			dispute(i, l.LikeURI, "the Like is paid by "+other+" already")
			continue
		}
		if l.Claimant != "" {
			reason, err := s.checkClaimLine(ctx, l)
			if err != nil {
				return nil, err
			}
			if reason != "" {
				dispute(i, l.LikeURI, reason)
			}
			continue // credited below, to the claimant
		}
		if reason := s.checkLine(l, st, peer, got[l.LikeURI], things[l.ThingURI]); reason != "" {
			dispute(i, l.LikeURI, reason)
			continue
		}
		matched = append(matched, i)
	}
	if len(r.disputes) > 0 {
		return r, nil
	}
	shares, err := s.creatorsOf(ctx, st, things)
	if err != nil {
		return nil, err
	}
	for _, l := range st.Lines {
		if l.Claimant != "" {
			byCreator[l.Claimant] += l.Amount
		}
	}
	for _, i := range matched {
		l := st.Lines[i]
		rs := shares[l.ThingURI]
		parts := make([]months.Part, len(rs))
		for j, rc := range rs {
			parts[j] = months.Part{Key: rc.RecipientURI, Weight: int64(rc.Share)}
		}
		for j, amount := range months.Split(l.Amount, parts) {
			byCreator[rs[j].RecipientURI] += amount
		}
	}
	for c, amount := range byCreator {
		if amount > 0 {
			r.credits = append(r.credits, app.Credit{CreatorURI: c, Amount: amount})
		}
	}
	sort.Slice(r.credits, func(i, j int) bool { return r.credits[i].CreatorURI < r.credits[j].CreatorURI })
	return r, nil
}

// checkLine says what is wrong with a line ("" when nothing).
func (s *Service) checkLine(l app.StatementLine, st *app.Statement, peer *app.Peer, f *app.Flattr, t *app.Thing) string {
	switch {
	case l.Amount <= 0:
		return fmt.Sprintf("the amount %d is not positive", l.Amount)
	case f == nil:
		return "no such Like was received here, and " + peer.Host + " did not serve it"
	case f.Local || app.HostOf(f.FunderURI) != peer.Host:
		return "the Like is not from " + peer.Host
	case f.State == app.FlattrUndone:
		return "the Like was undone"
	case f.State == app.FlattrRejected:
		return "the Like was refused"
	case f.State != app.FlattrActive:
		return "the Like is " + f.State
	case f.Month != st.Month:
		return "the Like is a flattr of " + f.Month + ", not of " + st.Month
	case f.ThingURI != l.ThingURI:
		return "the Like is of " + f.ThingURI + ", not of " + l.ThingURI
	case t == nil || !s.d.IDs.IsLocal(t.URI) || t.OwnerURI == "" || !s.d.IDs.IsLocal(t.OwnerURI):
		return "the thing " + l.ThingURI + " has no creator on " + s.d.IDs.Host()
	}
	return ""
}

// checkClaimLine says what is wrong with a line of escrow released to a
// claimant ("" when nothing): the claimant must be a creator here with a
// verified claim of an account on the thing's server.
func (s *Service) checkClaimLine(ctx context.Context, l app.StatementLine) (string, error) {
	if l.Amount <= 0 {
		return fmt.Sprintf("the amount %d is not positive", l.Amount), nil
	}
	if !s.d.IDs.IsLocal(l.Claimant) {
		return l.Claimant + " is not a creator on " + s.d.IDs.Host(), nil
	}
	cs, err := s.d.Store.VerifiedClaimsOf(ctx, l.Claimant)
	if err != nil {
		return "", err
	}
	for _, c := range cs {
		if app.HostOf(c.Subject) == app.HostOf(l.ThingURI) {
			return "", nil
		}
	}
	return l.Claimant + " has claimed no account on the server of " + l.ThingURI, nil
}

// fetchMissing fetches from the sender the Likes st names that were never
// received (delayed, or lost), at most MaxFetches, and adds those then
// stored to got.
func (s *Service) fetchMissing(ctx context.Context, st *app.Statement, got map[string]*app.Flattr) error {
	var missing []string
	for _, l := range st.Lines {
		if l.Claimant == "" && got[l.LikeURI] == nil && app.HostOf(l.LikeURI) == st.PeerHost && len(missing) < s.d.MaxFetches {
			missing = append(missing, l.LikeURI)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	for _, like := range uniq(missing) {
		if err := s.d.Messenger.FetchLike(ctx, like); err != nil {
			s.d.Logger.InfoContext(ctx, "settlement: a Like named in a statement could not be fetched", "like", like, "err", err)
		}
	}
	more, err := s.d.Store.ReceivedFlattrs(ctx, missing)
	if err != nil {
		return err
	}
	for k, f := range more {
		got[k] = f
	}
	return nil
}

// creatorsOf is who shares each thing's money here: its local
// co-creators by their shares, else its owner's split, else its owner.
func (s *Service) creatorsOf(ctx context.Context, st *app.Statement, things map[string]*app.Thing) (map[string][]app.Recipient, error) {
	subjects := make([]string, 0, 2*len(things))
	for uri, t := range things {
		subjects = append(subjects, uri, t.OwnerURI)
	}
	splits, err := s.d.Store.RecipientsAmong(ctx, uniq(subjects))
	if err != nil {
		return nil, err
	}
	out := make(map[string][]app.Recipient, len(things))
	for uri, t := range things {
		rs := s.localOnly(splits[uri])
		if len(rs) == 0 {
			rs = s.localOnly(splits[t.OwnerURI])
		}
		if len(rs) == 0 {
			rs = []app.Recipient{{SubjectURI: uri, RecipientURI: t.OwnerURI, Share: 1}}
		}
		out[uri] = rs
	}
	return out, nil
}

// localOnly keeps the local recipients with a share: a statement pays
// this instance's creators; a co-creator elsewhere is paid by their own
// server's statements.
func (s *Service) localOnly(rs []app.Recipient) []app.Recipient {
	var out []app.Recipient
	for _, r := range rs {
		if r.Share > 0 && s.d.IDs.IsLocal(r.RecipientURI) {
			out = append(out, r)
		}
	}
	return out
}

func uniq(xs []string) []string {
	seen := make(map[string]bool, len(xs))
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x != "" && !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
