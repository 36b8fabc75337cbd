package web_test

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/flattrs"
	"github.com/plaudit/plaudit/app/store"
)

// recordingFlattrs is the money fake whose Flattr records the request
// and answers a flattr of it.
type recordingFlattrs struct {
	*money
	mu  sync.Mutex
	got []flattrs.Request
}

func (r *recordingFlattrs) Flattr(_ context.Context, username string, req flattrs.Request) (*app.Flattr, *app.Activity, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, req)
	f := &app.Flattr{ID: 99, FunderURI: base + "/users/" + username, ThingURI: req.URL, Month: app.MonthOf(time.Now()), Weight: req.Weight,
		Anonymous: req.Anonymous, State: app.FlattrActive}
	if req.Tip != nil {
		f.Tip = *req.Tip
	}
	return f, nil, nil
}

func (r *recordingFlattrs) requests() []flattrs.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

// storeResolver resolves only what the store already knows.
type storeResolver struct{ st *store.Store }

func (s storeResolver) Resolve(ctx context.Context, raw string) (*app.Thing, error) {
	return s.st.ThingByURL(ctx, raw)
}

// linksFake is the auto-flattr use case in memory: links by id, each of
// a user; Start refuses servers named "down.example".
type linksFake struct {
	mu    sync.Mutex
	links map[int64]*app.AutoFlattrLink
	users map[int64]string
	next  int64
}

func newLinksFake() *linksFake {
	return &linksFake{links: map[int64]*app.AutoFlattrLink{}, users: map[int64]string{}}
}

func (f *linksFake) Start(_ context.Context, username, server string, limit int, exceptions []string) (string, *app.AutoFlattrLink, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if limit < 1 || limit > 1000 {
		return "", nil, app.Errorf(app.EINVALID, "the monthly cap is 1 to 1000 flattrs, not %d", limit)
	}
	if server == "" || server == "https://down.example" {
		return "", nil, app.Errorf(app.EUNAVAILABLE, "%s did not register Plaudit as an app", server)
	}
	f.next++
	l := &app.AutoFlattrLink{ID: f.next, Server: server, State: app.AutoFlattrPending, Cap: limit, Exceptions: exceptions, CreatedAt: time.Now()}
	f.links[l.ID], f.users[l.ID] = l, username
	return server + "/oauth/authorize?state=s", l, nil
}

func (f *linksFake) Callback(context.Context, string, string) (*app.AutoFlattrLink, error) {
	return nil, app.Errorf(app.EINVALID, "not in this fake")
}

func (f *linksFake) Links(_ context.Context, username string) ([]app.AutoFlattrLink, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []app.AutoFlattrLink
	for id, l := range f.links {
		if f.users[id] == username {
			out = append(out, *l)
		}
	}
	slices.SortFunc(out, func(a, b app.AutoFlattrLink) int { return int(a.ID - b.ID) })
	return out, nil
}

func (f *linksFake) Unlink(_ context.Context, username string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.users[id] != username {
		return app.Errorf(app.ENOTFOUND, "no auto-flattr link %d", id)
	}
	delete(f.links, id)
	return nil
}

// sharesFake keeps co-creator splits in memory, refusing a share of 0 as
// the real use case does.
type sharesFake struct {
	mu    sync.Mutex
	split map[string][]app.Recipient
}

func (f *sharesFake) SetRecipients(_ context.Context, owner, thing string, rs []app.Recipient) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rs {
		if r.Share < 1 {
			return app.Errorf(app.EINVALID, "co-creator %s: the share must be a whole number from 1 to 1000000, not %d", r.RecipientURI, r.Share)
		}
	}
	f.split[owner] = rs
	return nil
}

func (f *sharesFake) Recipients(_ context.Context, subject string) ([]app.Recipient, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.split[subject]) == 0 {
		// As app/things: an actor without a split is no thing known.
		return nil, app.Errorf(app.ENOTFOUND, "thing %s not found", subject)
	}
	return slices.Clone(f.split[subject]), nil
}

// blogsFake keeps connected blogs in memory, per user.
type blogsFake struct {
	mu    sync.Mutex
	blogs map[string][]app.Blog
}

func (f *blogsFake) Connect(_ context.Context, username, raw string) (*app.Blog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if raw == "" || raw[0] != 'h' {
		return nil, app.Errorf(app.EINVALID, "%q is not an http or https URL", raw)
	}
	b := app.Blog{ID: int64(len(f.blogs[username]) + 1), Kind: app.BlogFeed, URL: raw, Title: "A blog", FeedURL: raw + "feed", NextPollAt: time.Now().Add(time.Hour)}
	f.blogs[username] = append(f.blogs[username], b)
	return &b, nil
}

func (f *blogsFake) List(_ context.Context, username string) ([]app.Blog, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.blogs[username]), nil
}

func (f *blogsFake) Delete(_ context.Context, username string, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	list := f.blogs[username]
	i := slices.IndexFunc(list, func(b app.Blog) bool { return b.ID == id })
	if i < 0 {
		return app.Errorf(app.ENOTFOUND, "no blog %d", id)
	}
	f.blogs[username] = slices.Delete(list, i, i+1)
	return nil
}
