// Package things holds the use cases of things, what can be flattred:
// finding the thing behind any URL a user pastes (a local post, a post on
// another server, a web page), registering what local users publish, and
// reading and keeping a thing's counts.
package things

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Store persists things and their counts.
type Store interface {
	UpsertThing(ctx context.Context, t *app.Thing) error
	ThingByURI(ctx context.Context, uri string) (*app.Thing, error)
	ThingByURL(ctx context.Context, url string) (*app.Thing, error)
	ThingByID(ctx context.Context, id int64) (*app.Thing, error)
	ThingsByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error)
	ThingCounts(ctx context.Context, uri, month string) (app.ThingCounts, error)
	CountThings(ctx context.Context, recount []app.ThingMonth, changes []app.CountChange, now time.Time) error
	MarkThingDeleted(ctx context.Context, uri string, at time.Time) (bool, error)
}

// Resolver finds the thing behind a URL on another server (implemented by
// federation/resolve): an ActivityPub object fetched from its origin, or
// a web page and who it names as its creator.
type Resolver interface {
	ResolveThing(ctx context.Context, rawURL string) (*app.Thing, error)
}

// Addresses tells local ids apart (implemented by federation.URLs).
type Addresses interface {
	IsLocal(uri string) bool
	Host() string
}

// Deps are what the Service needs.
type Deps struct {
	Tx       app.Transactor
	Store    Store
	Resolver Resolver
	// Recipients, when set, keeps co-creators' shares.
	Recipients RecipientStore
	URLs       Addresses
	Now        func() time.Time
	// FreshFor is how long a resolved remote thing is used without
	// fetching it again; 0 means a day.
	FreshFor time.Duration
}

// Service runs the thing use cases.
type Service struct{ d Deps }

// New returns a Service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.FreshFor == 0 {
		d.FreshFor = 24 * time.Hour
	}
	return &Service{d: d}
}

// CheckURL refuses what is not an absolute http(s) URL.
func CheckURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", app.Errorf(app.EINVALID, "%q is not an http or https URL", raw)
	}
	u.Fragment = ""
	return u.String(), nil
}

// Resolve returns the thing behind rawURL: a stored one (by id or by its
// web page), else a local post, else whatever the origin says, stored.
// A local URL that names no thing is app.ENOTFOUND.
func (s *Service) Resolve(ctx context.Context, rawURL string) (*app.Thing, error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	t, err := s.d.Store.ThingByURL(ctx, u)
	switch {
	case err == nil && (t.Local || s.d.Now().Sub(t.UpdatedAt) < s.d.FreshFor):
		return t, nil
	case err != nil && !errors.Is(err, app.ErrNotFound):
		return nil, fmt.Errorf("resolve %s: %w", u, err)
	}
	if s.d.URLs.IsLocal(u) {
		return nil, app.Errorf(app.ENOTFOUND, "%s is nothing that can be flattred on this server", u)
	}
	fresh, rerr := s.d.Resolver.ResolveThing(ctx, u)
	if rerr != nil {
		if t != nil && app.ErrorCode(rerr) == app.EUNAVAILABLE {
			return t, nil // the origin is down: what we knew still stands
		}
		return nil, fmt.Errorf("resolve %s: %w", u, rerr)
	}
	if !app.FlattrableKind(fresh.Kind) {
		return nil, app.Errorf(app.EINVALID, "%s is a %s, which cannot be flattred", u, fresh.Kind)
	}
	if fresh.Local || s.d.URLs.IsLocal(fresh.URI) {
		return nil, app.Errorf(app.EINVALID, "%s claims to be a thing of this server", u)
	}
	if err := s.d.Store.UpsertThing(ctx, fresh); err != nil {
		return nil, fmt.Errorf("resolve %s: %w", u, err)
	}
	return fresh, nil
}

// ByURI loads a stored thing.
func (s *Service) ByURI(ctx context.Context, uri string) (*app.Thing, error) {
	return s.d.Store.ThingByURI(ctx, uri)
}

// ByID loads a stored thing by its id.
func (s *Service) ByID(ctx context.Context, id int64) (*app.Thing, error) {
	return s.d.Store.ThingByID(ctx, id)
}

// ByURIs loads the stored things among uris, by URI.
func (s *Service) ByURIs(ctx context.Context, uris []string) (map[string]*app.Thing, error) {
	return s.d.Store.ThingsByURIs(ctx, uris)
}

// Published registers a local post as a thing of its author.
func (s *Service) Published(ctx context.Context, p *app.Post) error {
	t := &app.Thing{
		URI: p.URI, OwnerURI: p.AuthorURI, OwnerConfirmed: true, Kind: p.Type, Title: p.Name,
		Summary: Excerpt(p.Summary, p.Content), URL: p.URI, Host: s.d.URLs.Host(), Local: true,
		CreatedAt: p.CreatedAt,
	}
	if err := s.d.Store.UpsertThing(ctx, t); err != nil {
		return fmt.Errorf("thing of post %s: %w", p.URI, err)
	}
	return nil
}

// Deleted records that a thing was deleted; its flattrs and counts stay.
func (s *Service) Deleted(ctx context.Context, uri string) error {
	_, err := s.d.Store.MarkThingDeleted(ctx, uri, s.d.Now())
	return err
}

// Counts reads a thing's counts for this month.
func (s *Service) Counts(ctx context.Context, uri string) (app.ThingCounts, error) {
	return s.d.Store.ThingCounts(ctx, uri, app.MonthOf(s.d.Now()))
}

// Recount keeps a thing's counts exact: called in the transaction that
// changed one of its flattrs or cheers in month, it recounts the thing
// just before that transaction commits, once however many changes the
// transaction made; all the things a transaction changed are recounted
// together, in a few statements, their rows locked in URI order so that
// transactions that change several things cannot deadlock.
func (s *Service) Recount(ctx context.Context, uri, month string) error {
	s.counting(ctx).add(app.ThingMonth{URI: uri, Month: month})
	return s.countBeforeCommit(ctx)
}

// Adjust is Recount for a change whose effect on the counts is known
// exactly from the rows written (a flattr added or withdrawn, a cheer
// added): the counts are moved by it rather than counted afresh, which
// costs no read of the thing's flattrs. It is applied before the commit
// with the recounts, under the same row locks; a thing that the
// transaction also recounts is recounted instead.
func (s *Service) Adjust(ctx context.Context, c app.CountChange) error {
	s.counting(ctx).adjust(c)
	return s.countBeforeCommit(ctx)
}

func (s *Service) counting(ctx context.Context) *recountSet {
	return app.TxValue(ctx, "things.recount", func() any { return &recountSet{seen: map[app.ThingMonth]bool{}} }).(*recountSet)
}

func (s *Service) countBeforeCommit(ctx context.Context) error {
	set := s.counting(ctx)
	return app.BeforeCommit(ctx, "things.recount", func(ctx context.Context) error {
		keys, changes := set.take()
		return s.d.Store.CountThings(ctx, keys, changes, s.d.Now())
	})
}

// recountSet gathers the things a transaction changed: those to recount
// and the changes known exactly.
type recountSet struct {
	mu      sync.Mutex
	seen    map[app.ThingMonth]bool
	keys    []app.ThingMonth
	changes []app.CountChange
}

func (r *recountSet) add(k app.ThingMonth) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.seen[k] {
		r.seen[k] = true
		r.keys = append(r.keys, k)
	}
}

func (r *recountSet) adjust(c app.CountChange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
}

// take returns what was gathered and starts afresh.
func (r *recountSet) take() ([]app.ThingMonth, []app.CountChange) {
	r.mu.Lock()
	defer r.mu.Unlock()
	keys, changes := r.keys, r.changes
	r.keys, r.changes, r.seen = nil, nil, map[app.ThingMonth]bool{}
	return keys, changes
}

// Excerpt is a short plain-text summary of a post: its summary, else the
// start of its content with the markup removed.
func Excerpt(summary, html string) string {
	if s := strings.TrimSpace(summary); s != "" {
		return clip(s, 200)
	}
	var b strings.Builder
	in := false
	for _, r := range html {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return clip(strings.Join(strings.Fields(b.String()), " "), 200)
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
