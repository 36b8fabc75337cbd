// Package configs holds Plaudit's typed configuration: defaults, then a YAML
// file, then PLAUDIT_* environment variables, then command-line flags.
package configs

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plaudit/plaudit/app"
)

// Signup modes.
const (
	SignupOpen   = "open"
	SignupInvite = "invite"
	SignupClosed = "closed"
)

// Config is every setting Plaudit reads. Each field's koanf tag is its key in
// the YAML file; the environment variable is PLAUDIT_ followed by the key in
// upper case with dots as underscores; the flag is --key with underscores as
// dashes.
type Config struct {
	Domain         string   `koanf:"domain" help:"public host name (and port) of this instance, e.g. plaudit.example or 127.0.0.1:8080"`
	Scheme         string   `koanf:"scheme" help:"scheme of public URLs: https, or http (only for localhost and tests); empty derives it from domain"`
	Listen         string   `koanf:"listen" help:"address the HTTP server listens on"`
	TrustedProxies []string `koanf:"trusted_proxies" help:"IPs or CIDRs of reverse proxies whose X-Forwarded-For is believed, comma-separated; empty trusts none"`
	DebugListen    string   `koanf:"debug_listen" help:"address of a separate listener for Go's pprof profiles (e.g. 127.0.0.1:6060); empty turns it off"`
	MetricsListen  string   `koanf:"metrics_listen" help:"address of a separate listener for Prometheus /metrics (e.g. 127.0.0.1:9090); empty serves none"`
	MetricsToken   string   `koanf:"metrics_token" help:"bearer token that /metrics asks for; set, it also serves /metrics on the main listener; empty: only metrics_listen serves it, without a token"`
	DatabaseURL    string   `koanf:"database_url" help:"postgres://… URL, or a SQLite file path; empty uses plaudit.db in data_dir"`
	RedisURL       string   `koanf:"redis_url" help:"redis://… URL for jobs; empty starts an embedded in-process server (single process only)"`
	DataDir        string   `koanf:"data_dir" help:"folder for the embedded database and other local files"`
	Currency       string   `koanf:"currency" help:"ISO 4217 currency of budgets and payouts"`
	Signup         string   `koanf:"signup" help:"who may create an account on the web: open, invite or closed"`
	// FlattrHandle is the local account replies mention to flattr the post
	// they reply to.
	// AutoFlattrKey seals the tokens of funders' home servers.
	AutoFlattrKey   string        `koanf:"auto_flattr_key" help:"32 random bytes in base64 (openssl rand -base64 32) that seal the tokens of funders' home servers for auto-flattr of their favourites; empty turns auto-flattr off"`
	FlattrHandle    string        `koanf:"flattr_handle" help:"username of the flattr actor: a reply mentioning @HANDLE@domain flattrs the post replied to, for linked accounts; empty turns it off"`
	AutoMigrate     bool          `koanf:"auto_migrate" help:"apply database migrations when serve or worker starts"`
	LogLevel        string        `koanf:"log_level" help:"debug, info, warn or error"`
	LogFormat       string        `koanf:"log_format" help:"json or text"`
	BodyLimit       int64         `koanf:"body_limit" help:"largest request body accepted, in bytes"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout" help:"how long in-flight requests and jobs get to finish on shutdown"`
	Auth            Auth          `koanf:"auth"`
	Worker          Worker        `koanf:"worker"`
	Federation      Federation    `koanf:"federation"`
	Feeds           Feeds         `koanf:"feeds"`
	Money           Money         `koanf:"money"`
	Button          Button        `koanf:"button"`
}

// Money configures budgets and the month close.
type Money struct {
	MinBudget  string `koanf:"min_budget" help:"smallest monthly budget, in the instance currency (a funder's budget until they set one)"`
	FeePercent int    `koanf:"fee_percent" help:"percent of each funder's monthly amount kept by the instance (0 to 50)"`
	GraceDays  int    `koanf:"grace_days" help:"days after a month ends before it is closed, so that late deliveries still count"`
	// EscrowMonths is how long money for creators who have not claimed it
	// waits before it goes back to the funders.
	EscrowMonths int `koanf:"escrow_months" help:"months money for creators who have not claimed it is held before it goes back to the funders' wallets"`
	// EscrowNotice is the escrow an owner must hold before the instance
	// actor tells them of it.
	EscrowNotice string `koanf:"escrow_notice" help:"amount held in escrow for a creator who has not joined at which the instance actor mentions them (at most once a month); 0 never"`
	// Stripe Checkout tops up wallets when its keys are set.
	StripeSecretKey     string `koanf:"stripe_secret_key" help:"Stripe secret key (sk_…) for wallet top-ups with Stripe Checkout; empty turns Stripe off"`
	StripeWebhookSecret string `koanf:"stripe_webhook_secret" help:"signing secret (whsec_…) of the Stripe webhook endpoint /webhooks/stripe"`
	StripeAPIURL        string `koanf:"stripe_api_url" help:"Stripe's API base URL; empty is https://api.stripe.com (tests point it at a stand-in)"`
	// Payouts pay creators whose balance reaches the threshold.
	PayoutThreshold string `koanf:"payout_threshold" help:"smallest creator balance paid out, in the instance currency"`
	PayoutProvider  string `koanf:"payout_provider" help:"how creators are paid: manual (bank transfers an admin makes from an exported batch) or stripe (Stripe Connect transfers, needs stripe_secret_key)"`
	SEPADebtorName  string `koanf:"sepa_debtor_name" help:"the instance's bank account holder, for SEPA credit-transfer files of payout batches"`
	SEPADebtorIBAN  string `koanf:"sepa_debtor_iban" help:"the IBAN SEPA payouts leave from"`
	SEPADebtorBIC   string `koanf:"sepa_debtor_bic" help:"the BIC of the instance's bank (optional)"`
}

// Button configures the flattr button and its count endpoint.
type Button struct {
	CountCache time.Duration `koanf:"count_cache" help:"how long each web process reuses a thing's counts for the button and /api/v1/things/count; negative reads the database every time"`
}

// Auth configures sign-in limits and API tokens.
type Auth struct {
	HashConcurrency  int           `koanf:"hash_concurrency" help:"password hashes (sign-in, sign-up) computed at once per process; more get 429 at once"`
	IPAttempts       int           `koanf:"ip_attempts" help:"failed sign-ins allowed from one client IP per attempt_window, per web process; 0 turns the limit off"`
	UsernameAttempts int           `koanf:"username_attempts" help:"failed sign-ins allowed for one username per attempt_window, per web process; 0 turns the limit off"`
	AttemptWindow    time.Duration `koanf:"attempt_window" help:"period over which ip_attempts and username_attempts refill"`
	TokenTTL         time.Duration `koanf:"token_ttl" help:"lifetime of a new API token when its creator does not choose one"`
}

// Worker configures the background job processor.
type Worker struct {
	Concurrency int `koanf:"concurrency" help:"jobs processed at once by one worker process"`
}

// Federation configures ActivityPub traffic with other servers.
type Federation struct {
	AllowHTTP               bool `koanf:"allow_http" help:"accept and fetch plain http:// remote URLs (tests and local experiments only)"`
	AllowPrivateAddresses   bool `koanf:"allow_private_addresses" help:"allow fetches and deliveries to loopback, private and link-local addresses (tests only)"`
	AuthorizedFetch         bool `koanf:"authorized_fetch" help:"require signed GETs for collections, activities and objects (Mastodon's secure mode); actor documents stay public so keys can be fetched"`
	InboxRateLimit          int  `koanf:"inbox_rate_limit" help:"inbox requests accepted per second from one remote host, per web process; 0 turns the limit off"`
	InboxWriters            int  `koanf:"inbox_writers" help:"batches of received activities written at once, per web process (PostgreSQL; SQLite writes one at a time); 0 means 1"`
	DeliveryHostConcurrency int  `koanf:"delivery_host_concurrency" help:"deliveries to one remote host at once, per worker process"`
	DeliveryAttempts        int  `koanf:"delivery_attempts" help:"delivery attempts before an activity is dead-lettered; 16 retries span about 2.8 days"`
}

// Default returns the configuration used when nothing is set: everything in
// one process on a SQLite file and an embedded Redis-compatible server.
func Default() Config {
	return Config{
		Domain:          "localhost:8080",
		Listen:          "127.0.0.1:8080",
		DataDir:         "data",
		Currency:        "EUR",
		Signup:          SignupInvite,
		FlattrHandle:    "flattr",
		AutoMigrate:     true,
		LogLevel:        "info",
		LogFormat:       "json",
		BodyLimit:       1 << 20,
		ShutdownTimeout: 20 * time.Second,
		TrustedProxies:  []string{},
		Auth: Auth{
			HashConcurrency:  2,
			IPAttempts:       20,
			UsernameAttempts: 10,
			AttemptWindow:    15 * time.Minute,
			TokenTTL:         90 * 24 * time.Hour,
		},
		Worker: Worker{Concurrency: 10},
		Federation: Federation{
			InboxRateLimit:          200,
			DeliveryHostConcurrency: 4,
			DeliveryAttempts:        17,
		},
		Feeds:  defaultFeeds(),
		Money:  Money{MinBudget: "2.00", GraceDays: 3, EscrowMonths: 6, EscrowNotice: "5.00", PayoutThreshold: "10.00", PayoutProvider: "manual"},
		Button: Button{CountCache: time.Second},
	}
}

// Validate reports every bad setting, each error naming its key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config %s: %s", key, fmt.Sprintf(format, args...)))
	}
	if c.Domain == "" || strings.ContainsAny(c.Domain, "/ @") {
		bad("domain", "%q is not a host name with optional port", c.Domain)
	} else if _, err := url.Parse("https://" + c.Domain); err != nil {
		bad("domain", "%q: %v", c.Domain, err)
	}
	if c.Scheme != "" && c.Scheme != "http" && c.Scheme != "https" {
		bad("scheme", "%q must be https or http", c.Scheme)
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q: %v", c.Listen, err)
	}
	if c.DebugListen != "" {
		if _, _, err := net.SplitHostPort(c.DebugListen); err != nil {
			bad("debug_listen", "%q: %v", c.DebugListen, err)
		}
	}
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			bad("metrics_listen", "%q: %v", c.MetricsListen, err)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < MinMetricsTokenLength {
		bad("metrics_token", "is %d characters long, use at least %d random ones", len(c.MetricsToken), MinMetricsTokenLength)
	}
	for _, p := range c.TrustedProxies {
		if !isIPOrCIDR(p) {
			bad("trusted_proxies", "%q is neither an IP address nor a CIDR like 10.0.0.0/8", p)
		}
	}
	if c.RedisURL != "" && !strings.HasPrefix(c.RedisURL, "redis://") && !strings.HasPrefix(c.RedisURL, "rediss://") {
		bad("redis_url", "%q must start with redis:// or rediss://", c.RedisURL)
	}
	if !isCurrencyCode(c.Currency) {
		bad("currency", "%q is not an ISO 4217 code like EUR", c.Currency)
	}
	switch c.Signup {
	case SignupOpen, SignupInvite, SignupClosed:
	default:
		bad("signup", "%q must be open, invite or closed", c.Signup)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log_level", "%q must be debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("log_format", "%q must be json or text", c.LogFormat)
	}
	if c.BodyLimit < 1024 {
		bad("body_limit", "%d is below 1024 bytes", c.BodyLimit)
	}
	if c.ShutdownTimeout <= 0 {
		bad("shutdown_timeout", "%s must be positive", c.ShutdownTimeout)
	}
	errs = append(errs, c.Auth.validate()...)
	errs = append(errs, c.Feeds.validate()...)
	if c.Worker.Concurrency < 1 {
		bad("worker.concurrency", "%d must be at least 1", c.Worker.Concurrency)
	}
	if c.Federation.InboxWriters < 0 || c.Federation.InboxWriters > 64 {
		bad("federation.inbox_writers", "%d must be between 0 (the default, 1) and 64", c.Federation.InboxWriters)
	}
	if c.Federation.InboxRateLimit < 0 {
		bad("federation.inbox_rate_limit", "%d must be 0 (off) or more", c.Federation.InboxRateLimit)
	}
	if c.Federation.DeliveryHostConcurrency < 1 {
		bad("federation.delivery_host_concurrency", "%d must be at least 1", c.Federation.DeliveryHostConcurrency)
	}
	if !isDecimal(c.Money.MinBudget) {
		bad("money.min_budget", "%q is not an amount like 2.00", c.Money.MinBudget)
	}
	if c.Money.FeePercent < 0 || c.Money.FeePercent > 50 {
		bad("money.fee_percent", "%d must be from 0 to 50", c.Money.FeePercent)
	}
	if (c.Money.StripeSecretKey == "") != (c.Money.StripeWebhookSecret == "") {
		bad("money.stripe_secret_key", "Stripe needs both stripe_secret_key and stripe_webhook_secret")
	} else if c.Money.StripeSecretKey != "" && (!strings.HasPrefix(c.Money.StripeSecretKey, "sk_") || !strings.HasPrefix(c.Money.StripeWebhookSecret, "whsec_")) {
		bad("money.stripe_secret_key", "the secret key starts with sk_ and the webhook secret with whsec_")
	}
	if c.AutoFlattrKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.AutoFlattrKey); err != nil || len(k) != 32 {
			bad("auto_flattr_key", "must be 32 bytes in base64 (openssl rand -base64 32)")
		}
	}
	if !isDecimal(c.Money.EscrowNotice) {
		bad("money.escrow_notice", "%q is not an amount like 5.00", c.Money.EscrowNotice)
	}
	if c.Money.EscrowMonths < 1 || c.Money.EscrowMonths > 60 {
		bad("money.escrow_months", "%d must be from 1 to 60", c.Money.EscrowMonths)
	}
	if c.Money.GraceDays < 0 || c.Money.GraceDays > 28 {
		bad("money.grace_days", "%d must be from 0 to 28", c.Money.GraceDays)
	}
	errs = append(errs, c.Money.validatePayouts()...)
	if c.Federation.DeliveryAttempts < 1 {
		bad("federation.delivery_attempts", "%d must be at least 1", c.Federation.DeliveryAttempts)
	}
	return errors.Join(errs...)
}

// MinMetricsTokenLength is the shortest metrics_token accepted.
const MinMetricsTokenLength = 16

// validate reports the bad auth.* settings.
func (a Auth) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config auth.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if a.HashConcurrency < 1 {
		bad("hash_concurrency", "%d must be at least 1", a.HashConcurrency)
	}
	if a.IPAttempts < 0 {
		bad("ip_attempts", "%d must be 0 (off) or more", a.IPAttempts)
	}
	if a.UsernameAttempts < 0 {
		bad("username_attempts", "%d must be 0 (off) or more", a.UsernameAttempts)
	}
	if a.AttemptWindow <= 0 {
		bad("attempt_window", "%s must be positive", a.AttemptWindow)
	}
	if a.TokenTTL < time.Minute {
		bad("token_ttl", "%s must be at least 1m", a.TokenTTL)
	}
	return errs
}

// isIPOrCIDR tells whether s is an IP address or a CIDR prefix.
func isIPOrCIDR(s string) bool {
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	_, err := netip.ParsePrefix(s)
	return err == nil
}

// isDecimal tells whether s is a positive plain decimal such as 2.00.
func isDecimal(s string) bool {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || strings.Trim(s, "0.") == "" {
		return false
	}
	return true
}

func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// PublicScheme is the scheme of this instance's public URLs.
func (c Config) PublicScheme() string {
	if c.Scheme != "" {
		return c.Scheme
	}
	host := c.Domain
	if h, _, err := net.SplitHostPort(c.Domain); err == nil {
		host = h
	}
	if host == "localhost" || net.ParseIP(strings.Trim(host, "[]")).IsLoopback() {
		return "http"
	}
	return "https"
}

// BaseURL is the root of this instance's public URLs, without a trailing slash.
func (c Config) BaseURL() string {
	return c.PublicScheme() + "://" + c.Domain
}

// UsesPostgres tells whether DatabaseURL names a PostgreSQL server.
func (c Config) UsesPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the SQLite file used when DatabaseURL is not PostgreSQL.
func (c Config) SQLitePath() string {
	if c.DatabaseURL != "" {
		return strings.TrimPrefix(c.DatabaseURL, "sqlite://")
	}
	return filepath.Join(c.DataDir, "plaudit.db")
}

// StoreURL is what the store opens: the PostgreSQL URL, or the SQLite file.
func (c Config) StoreURL() string {
	if c.UsesPostgres() {
		return c.DatabaseURL
	}
	return c.SQLitePath()
}

// EnsureDataDir creates DataDir when the embedded database lives there.
func (c Config) EnsureDataDir() error {
	if c.UsesPostgres() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(c.SQLitePath()), 0o750); err != nil {
		return fmt.Errorf("create data folder: %w", err)
	}
	return nil
}

// validatePayouts reports the bad money.payout_* and money.sepa_* keys.
func (m Money) validatePayouts() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config money.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if !isDecimal(m.PayoutThreshold) {
		bad("payout_threshold", "%q is not an amount above zero like 10.00", m.PayoutThreshold)
	}
	switch m.PayoutProvider {
	case "manual":
	case "stripe":
		if m.StripeSecretKey == "" {
			bad("payout_provider", "stripe pays through Stripe Connect and needs money.stripe_secret_key")
		}
	default:
		bad("payout_provider", "%q must be manual or stripe", m.PayoutProvider)
	}
	if m.SEPADebtorIBAN != "" {
		if _, err := app.NormalizeIBAN(m.SEPADebtorIBAN); err != nil {
			bad("sepa_debtor_iban", "%s", app.ErrorMessage(err))
		}
		if strings.TrimSpace(m.SEPADebtorName) == "" {
			bad("sepa_debtor_name", "a SEPA debtor IBAN needs the account holder's name")
		}
	}
	if m.SEPADebtorBIC != "" {
		if _, err := app.NormalizeBIC(m.SEPADebtorBIC); err != nil {
			bad("sepa_debtor_bic", "%s", app.ErrorMessage(err))
		}
	}
	return errs
}
