package claims

import (
	"context"
	"errors"
	"fmt"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/things"
)

// OwnerOf returns the local actor that a verified claim makes the owner
// of a thing with id uri and link pageURL whose origin names originOwner
// as its confirmed owner ("" for none): the claimant of originOwner, else
// the claimant of a site covering uri or pageURL, else "".
func (s *Service) OwnerOf(ctx context.Context, originOwner, uri, pageURL string) (string, error) {
	if originOwner != "" {
		c, err := s.d.Store.VerifiedActorClaim(ctx, originOwner)
		switch {
		case err == nil:
			return c.ActorURI, nil
		case !errors.Is(err, app.ErrNotFound):
			return "", fmt.Errorf("owner of %s: %w", uri, err)
		}
	}
	seen := map[string]bool{}
	for _, addr := range []string{uri, pageURL} {
		host := hostOf(addr)
		if host == "" || seen[host] {
			continue
		}
		seen[host] = true
		list, err := s.d.Store.VerifiedSiteClaims(ctx, host)
		if err != nil {
			return "", fmt.Errorf("owner of %s: %w", uri, err)
		}
		for _, c := range list {
			if Covers(c.Subject, uri) || Covers(c.Subject, pageURL) {
				return c.ActorURI, nil
			}
		}
	}
	return "", nil
}

// Resolver wraps a things.Resolver so that verified claims decide the
// owner: a thing of a claimed actor, or on a claimed site, belongs
// (confirmed) to the creator who claimed it.
type Resolver struct {
	Next   things.Resolver
	Claims *Service
}

// ResolveThing implements things.Resolver.
func (r *Resolver) ResolveThing(ctx context.Context, rawURL string) (*app.Thing, error) {
	t, err := r.Next.ResolveThing(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	origin := ""
	if t.OwnerConfirmed {
		origin = t.OwnerURI
	}
	owner, err := r.Claims.OwnerOf(ctx, origin, t.URI, t.URL)
	if err != nil {
		return nil, err
	}
	if owner != "" {
		t.OwnerURI, t.OwnerConfirmed = owner, true
	}
	return t, nil
}
