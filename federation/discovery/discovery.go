package discovery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
)

// Users finds and counts local users (implemented by store.Users).
type Users interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	CountUsers(ctx context.Context) (int64, error)
}

// Activities counts what local users do, for NodeInfo's usage
// (implemented by store.Activities).
type Activities interface {
	CountActiveUsers(ctx context.Context, since time.Time, actorPrefix string) (int64, error)
	CountLocalPosts(ctx context.Context) (int64, error)
}

// Defaults for Deps fields left empty.
const (
	DefaultRepository = "https://github.com/plaudit/plaudit"
	DefaultUsageTTL   = 10 * time.Minute
)

// Deps are what the discovery handlers need.
type Deps struct {
	Users      Users
	Activities Activities
	URLs       federation.URLs
	// Version is the software version NodeInfo reports ("dev" if empty).
	Version string
	// SignupOpen tells NodeInfo whether anyone may register.
	SignupOpen bool
	// Currency is the ISO 4217 code budgets and payouts are in.
	Currency string
	// NodeName is the instance's name in NodeInfo metadata (its host if empty).
	NodeName string
	// Repository and Homepage are NodeInfo 2.1's software links
	// (DefaultRepository if empty).
	Repository string
	Homepage   string
	// UsageTTL is how long NodeInfo's usage counts are cached: 0 means
	// DefaultUsageTTL, a negative value turns the cache off.
	UsageTTL time.Duration
	// Now tells the time; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Handlers serve WebFinger, host-meta and NodeInfo.
type Handlers struct {
	deps Deps

	mu        sync.Mutex
	usage     Usage
	usageAt   time.Time
	usageHeld bool
}

// New returns the handlers; the web layer mounts them.
func New(deps Deps) *Handlers {
	if deps.Users == nil || deps.Activities == nil {
		panic("discovery.New: no Users or Activities")
	}
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Version == "" {
		deps.Version = "dev"
	}
	if deps.NodeName == "" {
		deps.NodeName = deps.URLs.Host()
	}
	if deps.Repository == "" {
		deps.Repository = DefaultRepository
	}
	if deps.Homepage == "" {
		deps.Homepage = deps.Repository
	}
	if deps.UsageTTL == 0 {
		deps.UsageTTL = DefaultUsageTTL
	}
	return &Handlers{deps: deps}
}

// CORS lets pages on any origin read discovery documents: they are public
// and carry no credentials.
func CORS(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		next(w, r)
	}
}

// Preflight answers a CORS preflight (OPTIONS) of a discovery document.
func Preflight(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "Accept, Content-Type")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}

// writeJSON answers v as JSON with contentType, leaving & < > unescaped so
// URLs stay readable.
func (h *Handlers) writeJSON(w http.ResponseWriter, r *http.Request, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		h.internalError(w, r, err)
		return
	}
	writeBody(w, status, contentType, buf.Bytes())
}

// fail answers a client error as {"error": message}.
func fail(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"error": message})
	writeBody(w, status, "application/json; charset=utf-8", body)
}

func (h *Handlers) internalError(w http.ResponseWriter, r *http.Request, err error) {
	h.deps.Logger.ErrorContext(r.Context(), "discovery request failed", "path", r.URL.Path, "err", err)
	fail(w, http.StatusInternalServerError, "internal error")
}

// writeBody answers body with a status and a content type.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
