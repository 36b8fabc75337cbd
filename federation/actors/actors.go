package actors

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
	"github.com/plaudit/plaudit/federation/httpsig"
	"github.com/plaudit/plaudit/federation/keys"
)

// Users finds local users (implemented by store.Users).
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
}

// Follows pages followers and followings (implemented by store.Follows).
type Follows interface {
	CountFollowers(ctx context.Context, followeeURI string) (int64, error)
	CountFollowing(ctx context.Context, followerURI string) (int64, error)
	FollowersPage(ctx context.Context, followeeURI string, offset, limit int) ([]app.Follow, error)
	FollowingPage(ctx context.Context, followerURI string, offset, limit int) ([]app.Follow, error)
}

// Activities reads local activities (implemented by store.Activities).
type Activities interface {
	CountPublicOutbox(ctx context.Context, actorURI string) (int64, error)
	PublicOutboxPage(ctx context.Context, actorURI string, offset, limit int) ([]app.Activity, error)
	ActivityByURI(ctx context.Context, uri string) (*app.Activity, error)
	LatestLocalObjectActivity(ctx context.Context, objectURI string, types []string) (*app.Activity, error)
}

// Moderation decides whether a signed fetcher may read (app/moderation's
// Service satisfies it).
type Moderation interface {
	Allows(ctx context.Context, host, actorURI string) (bool, error)
}

// DefaultPageSize is how many items a collection page holds when
// Deps.PageSize is 0.
const DefaultPageSize = 20

// ActivityContentType is the content type of every JSON document served here.
const ActivityContentType = "application/activity+json; charset=utf-8"

// Deps are what the actor handlers need.
type Deps struct {
	Users      Users
	Follows    Follows
	Activities Activities
	URLs       federation.URLs
	// Keys gives the instance actor's public key.
	Keys *keys.Keyring
	// Verifier checks signed GETs; required when AuthorizedFetch is on.
	Verifier *httpsig.Verifier
	// AuthorizedFetch makes collections, activities and objects answer
	// only signed GETs.
	AuthorizedFetch bool
	// Moderation, if set, refuses signed fetches by blocked actors and
	// domains (403) when AuthorizedFetch is on.
	Moderation Moderation
	// HTML renders the profile page of /users/{name} for browsers; nil
	// answers them 406 Not Acceptable.
	HTML http.HandlerFunc
	// PageSize is the number of items per collection page
	// (DefaultPageSize if 0).
	PageSize int
	Logger   *slog.Logger
}

// Handlers serve local actors and what they published.
type Handlers struct {
	deps Deps
	urls federation.URLs
	log  *slog.Logger
}

// New returns the handlers; the web layer mounts them. It panics on a
// wiring mistake (no Store or Keys, authorized fetch without a Verifier),
// which must not reach production.
func New(deps Deps) *Handlers {
	switch {
	case deps.Users == nil || deps.Follows == nil || deps.Activities == nil:
		panic("actors.New: no Users, Follows or Activities")
	case deps.Keys == nil:
		panic("actors.New: no Keys")
	case deps.AuthorizedFetch && deps.Verifier == nil:
		panic("actors.New: AuthorizedFetch needs a Verifier")
	}
	if deps.PageSize <= 0 {
		deps.PageSize = DefaultPageSize
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	return &Handlers{deps: deps, urls: deps.URLs, log: deps.Logger}
}

// InstanceOutbox is the URL of the instance actor's outbox.
func InstanceOutbox(urls federation.URLs) string { return urls.InstanceActor() + "/outbox" }

// user loads the user named in the path, answering 404 when there is none.
// The name must be exactly the stored (lower-case) username: an actor's id
// is one URL.
func (h *Handlers) user(w http.ResponseWriter, r *http.Request) (*app.User, bool) {
	name := r.PathValue("name")
	u, err := h.deps.Users.UserByUsername(r.Context(), name)
	if app.ErrorCode(err) == app.ENOTFOUND || (err == nil && u.Username != name) {
		fail(w, http.StatusNotFound, "no such user")
		return nil, false
	}
	if err != nil {
		h.internalError(w, r, err)
		return nil, false
	}
	return u, true
}

// fail answers a client error as {"error": message}.
func fail(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"error": message})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (h *Handlers) internalError(w http.ResponseWriter, r *http.Request, err error) {
	h.log.ErrorContext(r.Context(), "actor request failed", "path", r.URL.Path, "err", err)
	fail(w, http.StatusInternalServerError, "internal error")
}

// writeDocument answers an ActivityPub JSON document.
func writeDocument(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", ActivityContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
