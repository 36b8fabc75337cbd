package settlement

import (
	"context"
	"fmt"
	"sort"

	"github.com/plaudit/plaudit/app"
)

// Correct answers a dispute of the latest statement of month to host: it
// writes and offers the next version, superseding the disputed one,
// without the lines the peer refused (all of them when it refused the
// statement as a whole, e.g. for its currency), and gives what those
// lines carried back to the funders whose Likes they were. It returns
// the new statement (nil when nothing is left to state).
func (s *Service) Correct(ctx context.Context, host, month string) (*app.Statement, error) {
	sts, err := s.d.Store.Statements(ctx, app.StatementOut, host, month)
	if err != nil {
		return nil, fmt.Errorf("correct the statement of %s to %s: %w", month, host, err)
	}
	if len(sts) == 0 {
		return nil, app.Errorf(app.ENOTFOUND, "no statement of %s to %s", month, host)
	}
	old, err := s.d.Store.Statement(ctx, sts[0].URI, true)
	if err != nil {
		return nil, err
	}
	if old.State != app.StatementDisputed {
		return nil, app.Errorf(app.EINVALID, "statement %s is %s, not disputed: there is nothing to correct", old.URI, old.State)
	}
	peer, err := s.d.Store.Peer(ctx, host)
	if err != nil {
		return nil, err
	}
	refused := map[int]bool{}
	whole := false
	for _, d := range old.Reasons {
		if d.Line < 0 || d.Line >= len(old.Lines) {
			whole = true
		} else {
			refused[d.Line] = true
		}
	}
	now := s.d.Now().UTC()
	next := &app.Statement{URI: s.d.IDs.Statement(month, host, old.Version+1), Direction: app.StatementOut, PeerHost: host, Month: month,
		Version: old.Version + 1, Supersedes: old.URI, Currency: old.Currency, State: app.StatementOffered, CreatedAt: now, UpdatedAt: now}
	var dropped []app.StatementLine
	for i, l := range old.Lines {
		if whole || refused[i] {
			dropped = append(dropped, l)
			continue
		}
		next.Lines = append(next.Lines, l)
		next.Total += l.Amount
	}
	next.LineCount = int64(len(next.Lines))
	if len(next.Lines) > 0 {
		if next.Document, err = s.d.Messenger.SignStatement(ctx, next, peer); err != nil {
			return nil, err
		}
	}
	refunds, err := s.refunds(ctx, dropped)
	if err != nil {
		return nil, err
	}
	err = s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		if err := s.d.Store.SetStatementState(ctx, old.URI, app.StatementSuperseded, old.Reasons, "corrected by "+next.URI, now); err != nil {
			return err
		}
		if len(refunds) > 0 {
			ps := []app.Posting{{Account: app.Account{Kind: app.AccountPayable, Key: host}, Amount: 0}}
			for _, r := range refunds {
				ps[0].Amount -= r.Amount
				ps = append(ps, app.Posting{Account: app.Account{Kind: app.AccountWallet, Key: r.CreatorURI}, Amount: r.Amount})
			}
			if _, err := s.d.Ledger.Post(ctx, &app.Transaction{Key: "correction:" + next.URI, Kind: "correction",
				Memo: fmt.Sprintf("lines refused by %s in %s, back to their funders", host, old.URI), Currency: old.Currency, Postings: ps}); err != nil {
				return err
			}
		}
		if len(next.Lines) == 0 {
			return nil
		}
		if _, err := s.d.Store.InsertStatement(ctx, next, "corrects "+old.URI); err != nil {
			return err
		}
		return s.d.Messenger.Offer(ctx, next, peer)
	})
	if err != nil {
		return nil, fmt.Errorf("correct %s: %w", old.URI, err)
	}
	if len(next.Lines) == 0 {
		return nil, nil
	}
	return next, nil
}

// refunds adds up, per funder, what the dropped lines carried (Credit's
// CreatorURI is the funder here).
func (s *Service) refunds(ctx context.Context, dropped []app.StatementLine) ([]app.Credit, error) {
	if len(dropped) == 0 {
		return nil, nil
	}
	likes := make([]string, len(dropped))
	for i, l := range dropped {
		likes[i] = l.LikeURI
	}
	funders, err := s.d.Store.FundersOfLikes(ctx, likes)
	if err != nil {
		return nil, err
	}
	by := map[string]int64{}
	for _, l := range dropped {
		f, ok := funders[l.LikeURI]
		if !ok {
			return nil, app.Errorf(app.EINTERNAL, "no funder of %s in the month's close", l.LikeURI)
		}
		by[f] += l.Amount
	}
	out := make([]app.Credit, 0, len(by))
	for f, a := range by {
		out = append(out, app.Credit{CreatorURI: f, Amount: a})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatorURI < out[j].CreatorURI })
	return out, nil
}
