// Package web serves Plaudit over HTTP: pages, the JSON API, health and
// metrics. Handlers are thin: bind the request, call a use case, render.
package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/go-oauth2/oauth2/v4/server"

	"github.com/plaudit/plaudit/app"
	"github.com/plaudit/plaudit/app/accounts"
)

// Pinger is a dependency whose health /healthz reports.
type Pinger interface {
	Ping(ctx context.Context) error
}

// ProbeStarter enqueues job probes (implemented by jobs.Probes), so the web
// process can prove that a worker is processing jobs.
type ProbeStarter interface {
	Start(ctx context.Context) (*app.JobProbe, error)
	Get(ctx context.Context, id int64) (*app.JobProbe, error)
}

// Deps are what the web layer needs from the rest of Plaudit.
type Deps struct {
	Accounts  *accounts.Service
	Probes    ProbeStarter
	Health    map[string]Pinger // name → dependency, e.g. "database", "redis"
	Domain    string            // public host, e.g. plaudit.example
	BaseURL   string            // e.g. https://plaudit.example
	Currency  string            // the instance's ISO 4217 currency, for amounts in requests
	BodyLimit int64             // largest request body, bytes
	Logger    *slog.Logger
	// Mount adds more routes (federation, later features) to the engine.
	Mount []func(*gin.Engine)
	// Outbox, Moderation and Deliveries serve POST /users/:name/outbox
	// and the federation admin API; nil leaves those routes out.
	Outbox     Outbox
	Moderation Moderation
	Deliveries Deliveries
	// FollowRequests, when set, serves /api/v1/follow_requests.
	FollowRequests FollowRequests
	// Profiles, when set, serves PATCH /api/v1/me.
	Profiles ProfileEditor
	// Claims and Blogs, when set, serve /api/v1/claims and /api/v1/blogs.
	Claims Claims
	Blogs  Blogs
	// Flattrs and Subscriptions, when set, serve /api/v1/flattrs and
	// /api/v1/subscriptions.
	Flattrs       Flattrs
	Subscriptions Subscriptions
	// CoCreators, when set, serves /api/v1/recipients.
	CoCreators CoCreators
	// Funding, when set, serves /api/v1/funding.
	Funding Funding
	// TopUps, when set, serves POST /api/v1/funding/topups;
	// StripeWebhook, when set, receives Stripe's events at
	// /webhooks/stripe.
	TopUps        TopUps
	StripeWebhook http.HandlerFunc
	// PayoutDetails, when set, serves /api/v1/payout_details; Statements
	// /api/v1/earnings, /api/v1/payouts, /api/v1/funding/months and
	// /api/v1/statements/YYYY-MM.csv.
	PayoutDetails PayoutDetails
	Statements    Statements
	// Things, when set, serves the flattr button, /api/v1/things/count,
	// thing pages and oEmbed; with Flattrs and ThingResolver also the
	// /flattr confirm page.
	Things        ThingPages
	ThingResolver ThingResolver
	// OwnedThings, when set, lists a creator's things on the creator
	// dashboard (/dashboard/creator, served when Statements is set; the
	// funder dashboard /dashboard needs Funding and Flattrs).
	OwnedThings OwnedThings
	// CountCacheTTL is how long counts are reused by the count endpoint
	// and the button; 0 is DefaultCountCacheTTL, < 0 turns the cache off.
	CountCacheTTL time.Duration
	// Inbox, when set, receives activities at /inbox, /actor/inbox and
	// /users/:name/inbox.
	Inbox Inbox
	// Actors and Discovery, when set, serve the ActivityPub documents and
	// WebFinger, host-meta and NodeInfo.
	Actors Actors
	// PeerStatements serves this instance's statements to peers by id
	// (federation/settlement.Documents.ServeStatement).
	PeerStatements http.HandlerFunc
	// LinkCodes, when set, serves POST /api/v1/mentions/link_code;
	// FlattrActorAcct is the flattr actor's address (@flattr@host).
	LinkCodes LinkCodes
	// AutoFlattr, when set, serves /api/v1/autoflattr and
	// /autoflattr/callback.
	AutoFlattr      AutoFlattr
	FlattrActorAcct string
	Discovery       Discovery
	// TrustedProxies are the IPs and CIDRs whose X-Forwarded-For and
	// X-Real-IP headers are believed; empty trusts none, so the client IP
	// is the connection's address.
	TrustedProxies []string
	// MetricsToken, when set, serves /metrics on this handler to requests
	// that present it as a bearer token; empty answers 404 there.
	MetricsToken string
	// LoginLimits bound failed sign-ins per client IP and per username;
	// nil uses DefaultLoginLimits.
	LoginLimits *LoginLimits
	// OAuthApps, when set, serves the Mastodon client API: app
	// registration, OAuth 2 and the /api/v1 and /api/v2 routes apps call.
	OAuthApps OAuthApps
	// StatusThings serves the Mastodon client API's statuses and search; nil
	// leaves them out.
	StatusThings StatusThings
	Favourites   Favourites
	// Mastodon, when set, serves the rest of the Mastodon client API
	// (timelines, notifications, accounts, posting); see MastodonSocial.
	Mastodon MastodonSocial
	// Version is Plaudit's version, shown in the instance entity.
	Version string
	// Admin serves the admin pages under /admin (see AdminPages).
	Admin AdminPages
	// Pages, when set, serves the public pages' listings (web/public_pages.go);
	// Settings /dashboard/settings; PageCacheTTL is how long signed-out
	// visitors share a rendered public page (0 is DefaultPageCacheTTL, < 0 off).
	Pages        PublicPages
	Settings     Settings
	PageCacheTTL time.Duration
}

// Server is the HTTP handler of a Plaudit instance.
type Server struct {
	deps         Deps
	engine       *gin.Engine
	pages        *template.Template
	secureCookie bool
	logins       *loginLimiter
	counts       *countCache
	oauth        *server.Server
	pageCache    *pageCache
}

// New builds the handler.
func New(deps Deps) (*Server, error) {
	if deps.Logger == nil {
		deps.Logger = slog.Default()
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	limits := DefaultLoginLimits()
	if deps.LoginLimits != nil {
		limits = *deps.LoginLimits
	}
	s := &Server{
		deps: deps, engine: gin.New(), pages: pages, secureCookie: strings.HasPrefix(deps.BaseURL, "https:"),
		logins: newLoginLimiter(limits),
	}
	if deps.CountCacheTTL == 0 {
		deps.CountCacheTTL = DefaultCountCacheTTL
	}
	s.counts = newCountCache(deps.CountCacheTTL)
	s.engine.HandleMethodNotAllowed = true
	s.engine.ContextWithFallback = true
	// gin trusts every proxy unless told otherwise, which would let any
	// client choose its own IP with X-Forwarded-For.
	if err := s.engine.SetTrustedProxies(deps.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.engine.ServeHTTP(w, r)
}

func (s *Server) routes() {
	e := s.engine
	e.Use(s.requestID, s.accessLog, s.recoverPanics, s.metrics, s.limitBody, securityHeaders)
	e.NoRoute(func(c *gin.Context) { s.fail(c, app.Errorf(app.ENOTFOUND, "no such page")) })
	e.NoMethod(func(c *gin.Context) {
		c.AbortWithStatusJSON(http.StatusMethodNotAllowed, gin.H{"error": "method not allowed"})
	})

	e.GET("/healthz", s.healthz)
	if s.deps.MetricsToken != "" {
		e.GET("/metrics", s.metricsWithToken)
	}
	e.GET("/static/*path", s.static)

	forms := e.Group("/", s.sessionUser, s.csrf)
	forms.GET("", s.home)
	forms.GET("login", s.loginPage)
	forms.POST("login", s.login)
	forms.POST("logout", s.logout)
	forms.GET("signup", s.signupPage)
	forms.POST("signup", s.signup)
	forms.GET("@:name", s.ProfilePage)
	s.thingRoutes(e, forms)
	s.dashboardRoutes(forms)
	s.adminPageRoutes(e, forms)
	s.pageRoutes(forms)

	api := e.Group("/api/v1", s.bearerUser)
	api.GET("/me", s.requireScope("read:accounts", accounts.ScopeProfile), s.me)
	api.GET("/tokens", s.requireScope("read:accounts"), s.listTokens)
	api.DELETE("/tokens/:id", s.requireScope("write:accounts"), s.revokeToken)
	admin := api.Group("/admin", s.requireAdmin, s.requireAdminScope)
	admin.POST("/jobs/probes", s.startProbe)
	admin.GET("/jobs/probes/:id", s.getProbe)
	admin.POST("/invites", s.createInvite)
	s.federationRoutes(admin)
	s.followRequestRoutes(api)
	s.profileRoutes(api)
	s.claimRoutes(api)
	s.linkCodeRoutes(api)
	s.autoFlattrRoutes(e, api)
	s.blogRoutes(api)
	s.flattrRoutes(api)
	s.subscriptionRoutes(api)
	s.recipientRoutes(api)
	s.fundingRoutes(api)
	s.topUpRoutes(e, api)
	s.payoutRoutes(api)
	s.inboxRoutes(e)
	s.actorRoutes(e)
	s.discoveryRoutes(e)
	s.oauthRoutes(e, forms, api)
	s.mastodonRoutes(e, api)

	for _, mount := range s.deps.Mount {
		mount(e)
	}
}
