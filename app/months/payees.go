package months

import (
	"context"
	"fmt"
	"net/url"

	"github.com/plaudit/plaudit/app"
)

// payeeCacheSize bounds how many things a close keeps the payees of
// between pages (past it the cache starts anew), so its memory stays flat
// however many things a month has.
const payeeCacheSize = 100_000

// thingPayees are who shares one thing's money (its co-creators, else its
// owner, else escrow for the thing's URL) and the account each part goes
// to.
type thingPayees struct {
	uri      string
	parts    []Part // by recipient URI, weighted by share
	accounts []app.Account
}

// payees finds the payees of flattred things in a few queries per page
// and keeps them for the pages after.
type payees struct {
	s      *Service
	things map[string]*thingPayees // nil: no such thing
	peers  map[string]bool         // by host: whether it settles with us
}

func newPayees(s *Service) *payees {
	return &payees{s: s, things: map[string]*thingPayees{}, peers: map[string]bool{}}
}

// pagePayees are the payees of the things of one page's flattrs, by
// thing URI (nil: no such thing).
type pagePayees map[string]*thingPayees

// of is uri's payees.
func (pp pagePayees) of(uri string) (*thingPayees, error) {
	tp := pp[uri]
	if tp == nil {
		return nil, fmt.Errorf("thing %s: %w", uri, app.ErrNotFound)
	}
	return tp, nil
}

// load returns the payees of the things of fs, finding those not known
// yet.
func (p *payees) load(ctx context.Context, fs []app.Flattr) (pagePayees, error) {
	missing := p.unknown(fs)
	if len(p.things)+len(missing) > payeeCacheSize {
		p.things, p.peers = map[string]*thingPayees{}, map[string]bool{}
		missing = p.unknown(fs)
	}
	if err := p.find(ctx, missing); err != nil {
		return nil, err
	}
	pp := pagePayees{}
	for i := range fs {
		pp[fs[i].ThingURI] = p.things[fs[i].ThingURI]
	}
	return pp, nil
}

// find looks up the payees of the things uris.
func (p *payees) find(ctx context.Context, uris []string) error {
	if len(uris) == 0 {
		return nil
	}
	ts, err := p.s.d.Things.ByURIs(ctx, uris)
	if err != nil {
		return fmt.Errorf("things: %w", err)
	}
	confirmed := make([]*app.Thing, 0, len(ts))
	for _, t := range ts {
		if t.OwnerURI != "" && t.OwnerConfirmed {
			confirmed = append(confirmed, t)
		}
	}
	splits, err := p.s.d.Things.RecipientsOfThings(ctx, confirmed)
	if err != nil {
		return err
	}
	for _, uri := range uris {
		t, ok := ts[uri]
		if !ok {
			p.things[uri] = nil
			continue
		}
		tp, err := p.resolve(ctx, t, splits[uri])
		if err != nil {
			return err
		}
		p.things[uri] = tp
	}
	return nil
}

func (p *payees) unknown(fs []app.Flattr) []string {
	var out []string
	seen := map[string]bool{}
	for i := range fs {
		uri := fs[i].ThingURI
		if _, known := p.things[uri]; !known && !seen[uri] {
			seen[uri] = true
			out = append(out, uri)
		}
	}
	return out
}

// resolve names t's payees: its co-creators (split), else its confirmed
// owner, else nobody yet (escrow for the thing's URL), with the account
// each part goes to.
func (p *payees) resolve(ctx context.Context, t *app.Thing, split []app.Recipient) (*thingPayees, error) {
	rs := split
	switch {
	case t.OwnerURI == "" || !t.OwnerConfirmed:
		rs = []app.Recipient{{SubjectURI: t.URI, RecipientURI: "", Share: 1}}
	case len(rs) == 0:
		rs = []app.Recipient{{SubjectURI: t.URI, RecipientURI: t.OwnerURI, Share: 1}}
	}
	tp := &thingPayees{uri: t.URI, parts: make([]Part, len(rs)), accounts: make([]app.Account, len(rs))}
	for i, r := range rs {
		acc, err := p.destination(ctx, t, r.RecipientURI)
		if err != nil {
			return nil, err
		}
		tp.parts[i] = Part{Key: r.RecipientURI, Weight: int64(r.Share)}
		tp.accounts[i] = acc
	}
	return tp, nil
}

// destination is the account a recipient's part goes to: a local
// creator's balance; the payable of the peer that hosts a remote creator
// (a server that settles with this one); else escrow for the creator (or,
// for a thing nobody has confirmed, for its URL).
func (p *payees) destination(ctx context.Context, t *app.Thing, recipient string) (app.Account, error) {
	switch {
	case recipient == "":
		return app.Account{Kind: app.AccountEscrow, Key: t.URI}, nil
	case p.s.d.URLs.IsLocal(recipient):
		return app.Account{Kind: app.AccountCreator, Key: recipient}, nil
	}
	if p.s.d.Peers != nil {
		host := hostOf(recipient)
		peer, known := p.peers[host]
		if !known {
			var err error
			if peer, err = p.s.d.Peers.SettlesWith(ctx, host); err != nil {
				return app.Account{}, err
			}
			p.peers[host] = peer
		}
		if peer {
			return app.Account{Kind: app.AccountPayable, Key: host}, nil
		}
	}
	return app.Account{Kind: app.AccountEscrow, Key: recipient}, nil
}

func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}
