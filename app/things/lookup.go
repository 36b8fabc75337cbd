package things

import (
	"context"
	"fmt"
	"time"

	"github.com/plaudit/plaudit/app"
)

// PageStore reads stored things and their cached counts by a thing's id
// or its web page.
type PageStore interface {
	ThingByURL(ctx context.Context, url string) (*app.Thing, error)
	ThingCountsByURL(ctx context.Context, url, month string) (app.ThingCounts, error)
	ThingsOwnedBy(ctx context.Context, ownerURI string, limit int) ([]app.Thing, error)
	ThingCounts(ctx context.Context, uri, month string) (app.ThingCounts, error)
	CountedThingsOwnedBy(ctx context.Context, ownerURI, month string, limit int) ([]app.CountedThing, error)
}

// Lookup reads what is already known of a thing, by its id or its web
// page, without resolving anything: public pages and the flattr button
// use it, so that no anonymous request makes this server fetch a URL.
type Lookup struct {
	Store PageStore
	Now   func() time.Time // nil is time.Now
}

// Thing is the stored thing behind rawURL; one never resolved here is
// app.ENOTFOUND.
func (l *Lookup) Thing(ctx context.Context, rawURL string) (*app.Thing, error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return nil, err
	}
	return l.Store.ThingByURL(ctx, u)
}

// Counts are this month's counts of the thing behind rawURL. A thing
// never resolved here has zero counts and known false: a button on a page
// nobody flattred yet shows 0.
func (l *Lookup) Counts(ctx context.Context, rawURL string) (c app.ThingCounts, known bool, err error) {
	u, err := CheckURL(rawURL)
	if err != nil {
		return c, false, err
	}
	month := app.MonthOf(l.now())
	c, err = l.Store.ThingCountsByURL(ctx, u, month)
	switch {
	case err == nil:
		return c, true, nil
	case app.ErrorCode(err) == app.ENOTFOUND:
		return app.ThingCounts{Month: month}, false, nil
	}
	return c, false, err
}

// Owned is a thing with this month's counts, as its creator sees it.
type Owned struct {
	app.Thing
	Counts app.ThingCounts
}

// Owned lists ownerURI's things, newest first, at most limit, each with
// its counts of this month: one query, whatever the number of things.
func (l *Lookup) Owned(ctx context.Context, ownerURI string, limit int) ([]Owned, error) {
	list, err := l.Store.CountedThingsOwnedBy(ctx, ownerURI, app.MonthOf(l.now()), limit)
	if err != nil {
		return nil, fmt.Errorf("things of %s: %w", ownerURI, err)
	}
	out := make([]Owned, len(list))
	for i := range list {
		out[i] = Owned{Thing: list[i].Thing, Counts: list[i].Counts}
	}
	return out, nil
}

func (l *Lookup) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}
