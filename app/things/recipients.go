package things

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/plaudit/plaudit/app"
)

// RecipientStore persists co-creators' shares.
type RecipientStore interface {
	SetRecipients(ctx context.Context, subjectURI string, rs []app.Recipient) error
	Recipients(ctx context.Context, subjectURI string) ([]app.Recipient, error)
	RecipientsOf(ctx context.Context, subjectURIs []string) (map[string][]app.Recipient, error)
}

// MaxRecipients is how many co-creators one split may name.
const MaxRecipients = 20

// SetRecipients names the co-creators who share the money of the local
// user ownerURI's thing thingURI, or of all their things when thingURI is
// "", with their shares (relative weights, as Podcasting 2.0's split; the
// money issue divides by them). No recipients removes the split: the
// owner gets everything.
func (s *Service) SetRecipients(ctx context.Context, ownerURI, thingURI string, rs []app.Recipient) error {
	if s.d.Recipients == nil {
		return app.Errorf(app.EUNAVAILABLE, "co-creator shares are not available here")
	}
	subject := ownerURI
	if thingURI != "" {
		t, err := s.d.Store.ThingByURI(ctx, thingURI)
		if err != nil || !t.Local || t.OwnerURI != ownerURI {
			return app.Errorf(app.ENOTFOUND, "%s is no thing of yours", thingURI)
		}
		subject = t.URI
	}
	if len(rs) > MaxRecipients {
		return app.Errorf(app.EINVALID, "a split names at most %d co-creators, not %d", MaxRecipients, len(rs))
	}
	seen := map[string]bool{}
	for i, r := range rs {
		u, err := url.Parse(r.RecipientURI)
		switch {
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
			return app.Errorf(app.EINVALID, "co-creator %d: %q is not an actor id (an http or https URL)", i+1, r.RecipientURI)
		case r.Share < 1 || r.Share > 1_000_000:
			return app.Errorf(app.EINVALID, "co-creator %s: the share must be a whole number from 1 to 1000000, not %d", r.RecipientURI, r.Share)
		case seen[r.RecipientURI]:
			return app.Errorf(app.EINVALID, "co-creator %s is named twice", r.RecipientURI)
		}
		seen[r.RecipientURI] = true
		rs[i].SubjectURI = subject
	}
	err := s.d.Tx.WithTx(ctx, func(ctx context.Context) error {
		return s.d.Recipients.SetRecipients(ctx, subject, rs)
	})
	if err != nil {
		return fmt.Errorf("co-creators of %s: %w", subject, err)
	}
	return nil
}

// Recipients returns who shares thingURI's money: its own split, else
// its owner's split, else nobody but the owner (nil).
func (s *Service) Recipients(ctx context.Context, thingURI string) ([]app.Recipient, error) {
	if s.d.Recipients == nil {
		return nil, nil
	}
	rs, err := s.d.Recipients.Recipients(ctx, thingURI)
	if err != nil || len(rs) > 0 {
		return rs, err
	}
	t, err := s.d.Store.ThingByURI(ctx, thingURI)
	if errors.Is(err, app.ErrNotFound) {
		return nil, nil // an actor without a split of its own, or no thing: nobody shares it
	}
	if err != nil || t.OwnerURI == "" {
		return nil, err
	}
	return s.d.Recipients.Recipients(ctx, t.OwnerURI)
}

// RecipientsOfThings returns, for each of ts that has co-creators, who
// shares its money as Recipients would: its own split, else its owner's
// split; things with neither are left out.
func (s *Service) RecipientsOfThings(ctx context.Context, ts []*app.Thing) (map[string][]app.Recipient, error) {
	out := map[string][]app.Recipient{}
	if s.d.Recipients == nil || len(ts) == 0 {
		return out, nil
	}
	subjects := make([]string, 0, 2*len(ts))
	seen := map[string]bool{}
	for _, t := range ts {
		for _, u := range []string{t.URI, t.OwnerURI} {
			if u != "" && !seen[u] {
				seen[u] = true
				subjects = append(subjects, u)
			}
		}
	}
	splits, err := s.d.Recipients.RecipientsOf(ctx, subjects)
	if err != nil {
		return nil, fmt.Errorf("co-creators of %d things: %w", len(ts), err)
	}
	for _, t := range ts {
		if rs := splits[t.URI]; len(rs) > 0 {
			out[t.URI] = rs
		} else if rs := splits[t.OwnerURI]; t.OwnerURI != "" && len(rs) > 0 {
			out[t.URI] = rs
		}
	}
	return out, nil
}
