package actors

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation/as2"
)

// maxPage bounds ?page=N so that offsets stay reasonable.
const maxPage = 100000

// collection is one paged OrderedCollection.
type collection struct {
	id    string
	count func(ctx context.Context) (int64, error)
	items func(ctx context.Context, offset, limit int) ([]any, error)
}

// ServeFollowers answers GET /users/{name}/followers: the accepted followers, paged.
func (h *Handlers) ServeFollowers(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	actor := h.urls.Actor(u.Username)
	h.serveCollection(w, r, collection{
		id:    h.urls.Followers(u.Username),
		count: func(ctx context.Context) (int64, error) { return h.deps.Follows.CountFollowers(ctx, actor) },
		items: func(ctx context.Context, offset, limit int) ([]any, error) {
			fs, err := h.deps.Follows.FollowersPage(ctx, actor, offset, limit)
			return actorIDs(fs, func(f app.Follow) string { return f.FollowerURI }), err
		},
	})
}

// ServeFollowing answers GET /users/{name}/following: the actors the user follows, paged.
func (h *Handlers) ServeFollowing(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	actor := h.urls.Actor(u.Username)
	h.serveCollection(w, r, collection{
		id:    h.urls.Following(u.Username),
		count: func(ctx context.Context) (int64, error) { return h.deps.Follows.CountFollowing(ctx, actor) },
		items: func(ctx context.Context, offset, limit int) ([]any, error) {
			fs, err := h.deps.Follows.FollowingPage(ctx, actor, offset, limit)
			return actorIDs(fs, func(f app.Follow) string { return f.FolloweeURI }), err
		},
	})
}

// ServeOutbox answers GET /users/{name}/outbox: the user's public activities, paged.
func (h *Handlers) ServeOutbox(w http.ResponseWriter, r *http.Request) {
	u, ok := h.user(w, r)
	if !ok {
		return
	}
	h.serveCollection(w, r, h.outboxOf(h.urls.Actor(u.Username), h.urls.Outbox(u.Username)))
}

// ServeInstanceOutbox answers GET /actor/outbox: the instance actor's public activities.
func (h *Handlers) ServeInstanceOutbox(w http.ResponseWriter, r *http.Request) {
	h.serveCollection(w, r, h.outboxOf(h.urls.InstanceActor(), InstanceOutbox(h.urls)))
}

// outboxOf is a local actor's public activities, as stored.
func (h *Handlers) outboxOf(actor, id string) collection {
	return collection{
		id:    id,
		count: func(ctx context.Context) (int64, error) { return h.deps.Activities.CountPublicOutbox(ctx, actor) },
		items: func(ctx context.Context, offset, limit int) ([]any, error) {
			acts, err := h.deps.Activities.PublicOutboxPage(ctx, actor, offset, limit)
			if err != nil {
				return nil, err
			}
			items := make([]any, 0, len(acts))
			for _, a := range acts {
				if !json.Valid([]byte(a.Document)) {
					h.log.WarnContext(ctx, "outbox activity with invalid JSON left out", "activity", a.URI)
					continue
				}
				items = append(items, json.RawMessage(a.Document))
			}
			return items, nil
		},
	}
}

func actorIDs(fs []app.Follow, pick func(app.Follow) string) []any {
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = pick(f)
	}
	return out
}

// serveCollection answers the collection without ?page, and page N with
// ?page=N.
func (h *Handlers) serveCollection(w http.ResponseWriter, r *http.Request, col collection) {
	ctx := r.Context()
	page, ok := pageNumber(r.URL.Query().Get("page"))
	if !ok {
		fail(w, http.StatusBadRequest, "page must be a number from 1 to 100000")
		return
	}
	total, err := col.count(ctx)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	size := h.deps.PageSize
	last := max(1, int((total+int64(size)-1)/int64(size)))
	if page == 0 {
		h.writeStatus(w, r, http.StatusOK, as2.Document{
			"@context": as2.ActivityStreamsContext, "id": col.id, "type": "OrderedCollection",
			"totalItems": total, "first": pageURL(col.id, 1), "last": pageURL(col.id, last),
		})
		return
	}
	items, err := col.items(ctx, (page-1)*size, size)
	if err != nil {
		h.internalError(w, r, err)
		return
	}
	doc := as2.Document{
		"@context": as2.ActivityStreamsContext, "id": pageURL(col.id, page), "type": "OrderedCollectionPage",
		"partOf": col.id, "totalItems": total, "orderedItems": items,
	}
	if page > 1 {
		doc["prev"] = pageURL(col.id, min(page-1, last))
	}
	if int64(page)*int64(size) < total {
		doc["next"] = pageURL(col.id, page+1)
	}
	h.writeStatus(w, r, http.StatusOK, doc)
}

// pageNumber reads ?page: 0 when absent (the collection itself), 1 for
// Mastodon's "page=true", false when it is not a page number.
func pageNumber(s string) (int, bool) {
	switch s {
	case "":
		return 0, true
	case "true":
		return 1, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPage {
		return 0, false
	}
	return n, true
}

func pageURL(collection string, page int) string {
	return collection + "?page=" + strconv.Itoa(page)
}
