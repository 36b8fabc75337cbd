package web

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/plaudit/plaudit/app"
)

// DefaultCountCacheTTL is how long the count endpoint and the button reuse
// counts they read, per process: the button's figure may lag a flattr by
// this much (browsers cache it for a minute anyway), and a page with the
// button costs the database one query per URL per TTL however many
// readers it has.
const DefaultCountCacheTTL = time.Second

// countCacheSize bounds the URLs remembered; past it, expired entries go
// first, then arbitrary ones.
const countCacheSize = 50_000

// countAnswer is a thing's counts ready to serve: the JSON body of
// /api/v1/things/count and its ETag, which changes whenever a count does.
type countAnswer struct {
	Counts  app.ThingCounts
	Known   bool
	ETag    string
	Body    []byte
	expires time.Time
}

// countCache keeps countAnswers by URL for a short TTL; concurrent misses
// of one URL share one query.
type countCache struct {
	ttl   time.Duration // <= 0: no caching
	mu    sync.RWMutex
	m     map[string]*countAnswer
	group singleflight.Group
}

func newCountCache(ttl time.Duration) *countCache {
	return &countCache{ttl: ttl, m: make(map[string]*countAnswer)}
}

// get answers url from the cache, or from load when it is missing or old.
func (c *countCache) get(ctx context.Context, url string, load func(context.Context) (app.ThingCounts, bool, error)) (*countAnswer, error) {
	now := time.Now()
	c.mu.RLock()
	a := c.m[url]
	c.mu.RUnlock()
	if a != nil && now.Before(a.expires) {
		return a, nil
	}
	v, err, _ := c.group.Do(url, func() (any, error) {
		// Shared by every request waiting for url: one leaving must not
		// fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		counts, known, err := load(ctx)
		if err != nil {
			return nil, err
		}
		a := newCountAnswer(counts, known)
		if c.ttl > 0 {
			a.expires = time.Now().Add(c.ttl)
			c.put(url, a)
		}
		return a, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*countAnswer), nil
}

func (c *countCache) put(url string, a *countAnswer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= countCacheSize {
		now := time.Now()
		for k, old := range c.m {
			if now.After(old.expires) {
				delete(c.m, k)
			}
		}
		for k := range c.m {
			if len(c.m) < countCacheSize*9/10 {
				break
			}
			delete(c.m, k)
		}
	}
	c.m[url] = a
}

// newCountAnswer renders counts. The ETag is made of the month and every
// count, so it changes when any of them does and is the same on every
// process that reads the same counts.
func newCountAnswer(c app.ThingCounts, known bool) *countAnswer {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	k := "0"
	if known {
		k = "1"
	}
	etag := `"` + strings.Join([]string{c.Month, n(c.FlattrsMonth), n(c.FlattrsAllTime), n(c.CheersMonth), n(c.CheersAllTime), n(c.Funders), k}, ".") + `"`
	body := `{"flattrs":{"month":` + n(c.FlattrsMonth) + `,"all_time":` + n(c.FlattrsAllTime) +
		`},"cheers":{"month":` + n(c.CheersMonth) + `,"all_time":` + n(c.CheersAllTime) +
		`},"funders":` + n(c.Funders) + `,"month":"` + c.Month + `","known":` + strconv.FormatBool(known) + "}\n"
	return &countAnswer{Counts: c, Known: known, ETag: etag, Body: []byte(body)}
}

// etagMatches tells whether an If-None-Match header names etag (weak
// comparison, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}
