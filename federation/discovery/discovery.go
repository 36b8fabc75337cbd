package discovery

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/federation"
)

// Store is what discovery reads; *store.Store satisfies it.
type Store interface {
	UserByUsername(ctx context.Context, username string) (*app.User, error)
	CountUsers(ctx context.Context) (int64, error)
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
	Store Store
	URLs  federation.URLs
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

// New returns the handlers; register them with Routes.
func New(deps Deps) *Handlers {
	if deps.Store == nil {
		panic("discovery.New: no Store")
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

// Routes registers GET (and OPTIONS, for CORS preflight) of
// /.well-known/webfinger, /.well-known/host-meta, /.well-known/host-meta.json,
// /.well-known/nodeinfo, /nodeinfo/2.0 and /nodeinfo/2.1.
func (h *Handlers) Routes(e *gin.Engine) {
	for path, handler := range map[string]gin.HandlerFunc{
		"/.well-known/webfinger":      h.webfinger,
		"/.well-known/host-meta":      h.hostMeta,
		"/.well-known/host-meta.json": h.hostMetaJSON,
		"/.well-known/nodeinfo":       h.nodeInfoLinks,
		"/nodeinfo/2.0":               h.nodeInfo20,
		"/nodeinfo/2.1":               h.nodeInfo21,
	} {
		e.GET(path, allowCORS, handler)
		e.OPTIONS(path, allowCORS, preflight)
	}
}

// allowCORS lets pages on any origin read discovery documents: they are
// public and carry no credentials.
func allowCORS(c *gin.Context) {
	c.Header("Access-Control-Allow-Origin", "*")
	c.Next()
}

func preflight(c *gin.Context) {
	c.Header("Access-Control-Allow-Methods", "GET, OPTIONS")
	c.Header("Access-Control-Allow-Headers", "Accept, Content-Type")
	c.Header("Access-Control-Max-Age", "86400")
	c.AbortWithStatus(http.StatusNoContent)
}

// writeJSON answers v as JSON with contentType, leaving & < > unescaped so
// URLs stay readable.
func (h *Handlers) writeJSON(c *gin.Context, status int, contentType string, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		h.internalError(c, err)
		return
	}
	c.Data(status, contentType, buf.Bytes())
}

// fail answers a client error as {"error": message}.
func fail(c *gin.Context, status int, message string) {
	c.AbortWithStatusJSON(status, gin.H{"error": message})
}

func (h *Handlers) internalError(c *gin.Context, err error) {
	h.deps.Logger.ErrorContext(c.Request.Context(), "discovery request failed", "path", c.Request.URL.Path, "err", err)
	fail(c, http.StatusInternalServerError, "internal error")
}
