package web

import (
	"bytes"
	"context"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"github.com/plaudit/plaudit/app"
)

// DefaultPageCacheTTL is how long a public page rendered for a signed-out
// visitor is served again to the others: its counts may lag a flattr by
// this much, and a page read by many costs one render and its queries
// per TTL. Signed-in users always get a fresh page with their own state.
const DefaultPageCacheTTL = 2 * time.Second

// pageCacheSize bounds the pages remembered; past it, expired pages go
// first, then arbitrary ones.
const pageCacheSize = 10_000

// cachedPage is a rendered page: its status and HTML.
type cachedPage struct {
	status  int
	body    []byte
	expires time.Time
}

// pageCache keeps rendered public pages by path and query for a short
// TTL; concurrent misses of one page share one render.
type pageCache struct {
	ttl   time.Duration // <= 0: no caching
	mu    sync.RWMutex
	m     map[string]*cachedPage
	group singleflight.Group
}

func newPageCache(ttl time.Duration) *pageCache {
	return &pageCache{ttl: ttl, m: make(map[string]*cachedPage)}
}

// get is the page of key from the cache, or rendered by load (and kept
// when its status is below 500).
func (pc *pageCache) get(ctx context.Context, key string, load func(ctx context.Context) (*cachedPage, error)) (*cachedPage, error) {
	pc.mu.RLock()
	p := pc.m[key]
	pc.mu.RUnlock()
	if p != nil && time.Now().Before(p.expires) {
		return p, nil
	}
	v, err, _ := pc.group.Do(key, func() (any, error) {
		// Shared by every request waiting for key: one leaving must not
		// fail the others.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		p, err := load(ctx)
		if err != nil {
			return nil, err
		}
		if pc.ttl > 0 && p.status < 500 {
			p.expires = time.Now().Add(pc.ttl)
			pc.put(key, p)
		}
		return p, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*cachedPage), nil
}

func (pc *pageCache) put(key string, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if len(pc.m) >= pageCacheSize {
		now := time.Now()
		for k, old := range pc.m {
			if now.After(old.expires) {
				delete(pc.m, k)
			}
		}
		for k := range pc.m {
			if len(pc.m) < pageCacheSize*9/10 {
				break
			}
			delete(pc.m, k)
		}
	}
	pc.m[key] = p
}

// pageBuild makes a public page's data: the template, its data and
// status, or an error that fail answers.
type pageBuild func(ctx context.Context) (name string, data gin.H, status int, err error)

// publicPage answers a public page. Signed-in users get it rendered for
// them; signed-out visitors share one rendering per path and query for
// the cache's TTL. A page for signed-out visitors must not depend on the
// visitor: it gets no user and no CSRF token (it has no POST form).
func (s *Server) publicPage(c *gin.Context, build pageBuild) {
	setCSP(c, cspPage)
	if currentUser(c) != nil || s.pageCache == nil || s.pageCache.ttl <= 0 {
		name, data, status, err := build(c.Request.Context())
		if err != nil {
			s.fail(c, err)
			return
		}
		c.Status(status)
		s.render(c, name, data)
		return
	}
	p, err := s.pageCache.get(c.Request.Context(), c.Request.URL.RequestURI(), func(ctx context.Context) (*cachedPage, error) {
		name, data, status, err := build(ctx)
		if err != nil {
			return nil, err
		}
		var b bytes.Buffer
		if err := s.pages.ExecuteTemplate(&b, name, s.signedOutData(name, data)); err != nil {
			return nil, err
		}
		return &cachedPage{status: status, body: b.Bytes()}, nil
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(p.status, "text/html; charset=utf-8", p.body)
}

// signedOutData is what render adds to every page's data, for no user.
func (s *Server) signedOutData(name string, data gin.H) gin.H {
	if data == nil {
		data = gin.H{}
	}
	data["User"], data["CSRF"], data["Domain"] = nil, "", s.deps.Domain
	if _, ok := data["Title"]; !ok {
		data["Title"] = pageTitles[name]
	}
	return data
}

// statusPage is a build's answer for a refusal shown on its own page
// (e.g. a thing not known here): the page with the error's message.
func statusPage(name string, data gin.H, err error) (string, gin.H, int, error) {
	status := ErrorStatus(err)
	if status >= 500 {
		return "", nil, 0, err
	}
	data["Error"] = app.ErrorMessage(err)
	return name, data, status, nil
}
