package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

// mustWriteFile writes content to a new file in a temporary folder and
// returns its path.
func mustWriteFile(tb testing.TB, content string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "plaudit.yaml")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		tb.Fatalf("write %s: %v", path, err)
	}
	return path
}

// mustParseFlags returns a flag set with every configuration flag, parsed
// from args.
func mustParseFlags(tb testing.TB, args ...string) *pflag.FlagSet {
	tb.Helper()
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		tb.Fatalf("parse flags %q: %v", args, err)
	}
	return fs
}

func TestDefault(t *testing.T) {
	cfg := Default()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v, want nil", err)
	}
	if cfg.DatabaseURL != "" || cfg.UsesPostgres() {
		t.Errorf("default DatabaseURL = %q, UsesPostgres = %v; want the embedded SQLite database", cfg.DatabaseURL, cfg.UsesPostgres())
	}
	if got, want := cfg.SQLitePath(), filepath.Join(cfg.DataDir, "plaudit.db"); got != want {
		t.Errorf("default SQLitePath() = %q, want %q", got, want)
	}
	if cfg.RedisURL != "" {
		t.Errorf("default RedisURL = %q, want empty (embedded Redis)", cfg.RedisURL)
	}
	if got, want := cfg.BaseURL(), "http://localhost:8080"; got != want {
		t.Errorf("default BaseURL() = %q, want %q", got, want)
	}
}

func TestLoadWithNothingSetIsDefault(t *testing.T) {
	cfg, err := Load("", nil, mustParseFlags(t))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if diff := cmp.Diff(Default(), cfg); diff != "" {
		t.Errorf("Load with nothing set differs from Default() (-want +got):\n%s", diff)
	}
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name  string
		file  string // YAML content; empty means no file
		env   []string
		flags []string
		want  func(*Config)
	}{
		{
			name: "file overrides default",
			file: "listen: 127.0.0.1:9001\ncurrency: USD\nshutdown_timeout: 45s\n",
			want: func(c *Config) {
				c.Listen = "127.0.0.1:9001"
				c.Currency = "USD"
				c.ShutdownTimeout = 45 * time.Second
			},
		},
		{
			name: "env overrides file",
			file: "listen: 127.0.0.1:9001\ncurrency: USD\n",
			env:  []string{"PLAUDIT_LISTEN=127.0.0.1:9002"},
			want: func(c *Config) {
				c.Listen = "127.0.0.1:9002"
				c.Currency = "USD"
			},
		},
		{
			name:  "flag overrides env and file",
			file:  "listen: 127.0.0.1:9001\n",
			env:   []string{"PLAUDIT_LISTEN=127.0.0.1:9002"},
			flags: []string{"--listen", "127.0.0.1:9003"},
			want:  func(c *Config) { c.Listen = "127.0.0.1:9003" },
		},
		{
			name:  "unset flags leave env and file alone",
			file:  "signup: open\nworker:\n  concurrency: 3\n",
			env:   []string{"PLAUDIT_LISTEN=127.0.0.1:9002", "PLAUDIT_AUTO_MIGRATE=false"},
			flags: []string{"--currency", "GBP"},
			want: func(c *Config) {
				c.Listen = "127.0.0.1:9002"
				c.Signup = SignupOpen
				c.AutoMigrate = false
				c.Worker.Concurrency = 3
				c.Currency = "GBP"
			},
		},
		{
			name:  "flag set to its default still overrides env",
			env:   []string{"PLAUDIT_LISTEN=127.0.0.1:9002"},
			flags: []string{"--listen", Default().Listen},
			want:  func(c *Config) {},
		},
		{
			name: "nested key from file",
			file: "federation:\n  allow_http: true\n",
			want: func(c *Config) { c.Federation.AllowHTTP = true },
		},
		{
			name: "empty sections keep their defaults",
			file: "worker:\n  # concurrency: 3\nfederation:\nlisten: 127.0.0.1:9001\n",
			want: func(c *Config) { c.Listen = "127.0.0.1:9001" },
		},
		{
			name: "nested key from env",
			env:  []string{"PLAUDIT_FEDERATION_ALLOW_HTTP=true", "PLAUDIT_WORKER_CONCURRENCY=4"},
			want: func(c *Config) {
				c.Federation.AllowHTTP = true
				c.Worker.Concurrency = 4
			},
		},
		{
			name:  "nested key from flag",
			flags: []string{"--federation.allow-http", "--federation.allow-private-addresses=true", "--worker.concurrency", "7"},
			want: func(c *Config) {
				c.Federation.AllowHTTP = true
				c.Federation.AllowPrivateAddresses = true
				c.Worker.Concurrency = 7
			},
		},
		{
			name:  "nested flag overrides nested env and file",
			file:  "federation:\n  allow_http: true\n",
			env:   []string{"PLAUDIT_FEDERATION_ALLOW_HTTP=true"},
			flags: []string{"--federation.allow-http=false"},
			want:  func(c *Config) {},
		},
		{
			name:  "env false overrides file true",
			file:  "federation:\n  allow_http: true\n",
			env:   []string{"PLAUDIT_FEDERATION_ALLOW_HTTP=false"},
			flags: []string{},
			want:  func(c *Config) {},
		},
		{
			name: "typed values from env",
			env: []string{
				"PLAUDIT_BODY_LIMIT=2048",
				"PLAUDIT_SHUTDOWN_TIMEOUT=1m30s",
				"PLAUDIT_DATABASE_URL=postgres://u@127.0.0.1:5432/p",
				"PLAUDIT_REDIS_URL=redis://127.0.0.1:6379/2",
			},
			want: func(c *Config) {
				c.BodyLimit = 2048
				c.ShutdownTimeout = 90 * time.Second
				c.DatabaseURL = "postgres://u@127.0.0.1:5432/p"
				c.RedisURL = "redis://127.0.0.1:6379/2"
			},
		},
		{
			name:  "typed values from flags",
			flags: []string{"--body-limit", "4096", "--shutdown-timeout", "5s", "--data-dir", "/var/lib/plaudit"},
			want: func(c *Config) {
				c.BodyLimit = 4096
				c.ShutdownTimeout = 5 * time.Second
				c.DataDir = "/var/lib/plaudit"
			},
		},
		{
			name: "trusted proxies from file",
			file: "trusted_proxies:\n  - 127.0.0.1\n  - 10.0.0.0/8\n  - ::1\n",
			want: func(c *Config) { c.TrustedProxies = []string{"127.0.0.1", "10.0.0.0/8", "::1"} },
		},
		{
			name: "trusted proxies from env, comma-separated",
			env:  []string{"PLAUDIT_TRUSTED_PROXIES=127.0.0.1, 192.168.0.0/16"},
			want: func(c *Config) { c.TrustedProxies = []string{"127.0.0.1", "192.168.0.0/16"} },
		},
		{
			name:  "trusted proxies from flags",
			flags: []string{"--trusted-proxies", "127.0.0.1,fd00::/8"},
			want:  func(c *Config) { c.TrustedProxies = []string{"127.0.0.1", "fd00::/8"} },
		},
		{
			name: "metrics and auth settings",
			file: "metrics_listen: 127.0.0.1:9090\nmetrics_token: 0123456789abcdef0123\nauth:\n  hash_concurrency: 4\n  ip_attempts: 0\n  attempt_window: 1h\n  token_ttl: 720h\n",
			env:  []string{"PLAUDIT_AUTH_USERNAME_ATTEMPTS=3"},
			want: func(c *Config) {
				c.MetricsListen = "127.0.0.1:9090"
				c.MetricsToken = "0123456789abcdef0123"
				c.Auth = Auth{HashConcurrency: 4, IPAttempts: 0, UsernameAttempts: 3, AttemptWindow: time.Hour, TokenTTL: 720 * time.Hour}
			},
		},
		{
			name: "non-key variables are ignored",
			env: []string{
				"PLAUDIT_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/x",
				"PLAUDIT_TEST_REDIS_URL=redis://127.0.0.1:6379/5",
				"PLAUDIT_CONFIG=/nonexistent.yaml",
				"HOME=/root",
				"NOT_PLAUDIT_FOO=1",
				"PLAUDIT_NO_EQUALS_SIGN",
			},
			want: func(c *Config) {},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = mustWriteFile(t, tt.file)
			}
			got, err := Load(path, tt.env, mustParseFlags(t, tt.flags...))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			want := Default()
			tt.want(&want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoadWithoutFlagSet(t *testing.T) {
	got, err := Load("", []string{"PLAUDIT_SIGNUP=closed"}, nil)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got.Signup != SignupClosed {
		t.Errorf("Signup = %q, want %q", got.Signup, SignupClosed)
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		env      []string
		flags    []string
		wantKeys []string // each must appear in the error
	}{
		{name: "currency not a code", env: []string{"PLAUDIT_CURRENCY=euro"}, wantKeys: []string{"currency", "euro"}},
		{name: "lower-case currency", file: "currency: eur\n", wantKeys: []string{"currency"}},
		{name: "signup mode", env: []string{"PLAUDIT_SIGNUP=maybe"}, wantKeys: []string{"signup", "maybe"}},
		{name: "listen without port", flags: []string{"--listen", "nope"}, wantKeys: []string{"listen", "nope"}},
		{name: "zero concurrency", env: []string{"PLAUDIT_WORKER_CONCURRENCY=0"}, wantKeys: []string{"worker.concurrency"}},
		{name: "concurrency not a number", env: []string{"PLAUDIT_WORKER_CONCURRENCY=ten"}, wantKeys: []string{"worker.concurrency"}},
		{name: "bool from env", env: []string{"PLAUDIT_FEDERATION_ALLOW_HTTP=perhaps"}, wantKeys: []string{"federation.allow_http"}},
		{name: "bool from file", file: "federation:\n  allow_http: perhaps\n", wantKeys: []string{"federation.allow_http"}},
		{name: "duration from env", env: []string{"PLAUDIT_SHUTDOWN_TIMEOUT=soon"}, wantKeys: []string{"shutdown_timeout"}},
		{name: "duration from file", file: "shutdown_timeout: soon\n", wantKeys: []string{"shutdown_timeout"}},
		{name: "duration without unit", file: "shutdown_timeout: 30\n", wantKeys: []string{"shutdown_timeout", "unit"}},
		{name: "negative duration", env: []string{"PLAUDIT_SHUTDOWN_TIMEOUT=-5s"}, wantKeys: []string{"shutdown_timeout"}},
		{name: "scheme", env: []string{"PLAUDIT_SCHEME=ftp"}, wantKeys: []string{"scheme"}},
		{name: "domain with path", env: []string{"PLAUDIT_DOMAIN=plaudit.example/x"}, wantKeys: []string{"domain"}},
		{name: "empty domain", file: "domain: \"\"\n", wantKeys: []string{"domain"}},
		{name: "redis URL scheme", env: []string{"PLAUDIT_REDIS_URL=127.0.0.1:6379"}, wantKeys: []string{"redis_url"}},
		{name: "log level", env: []string{"PLAUDIT_LOG_LEVEL=loud"}, wantKeys: []string{"log_level"}},
		{name: "log format", env: []string{"PLAUDIT_LOG_FORMAT=xml"}, wantKeys: []string{"log_format"}},
		{name: "tiny body limit", flags: []string{"--body-limit", "10"}, wantKeys: []string{"body_limit"}},
		{name: "trusted proxy not a CIDR", env: []string{"PLAUDIT_TRUSTED_PROXIES=127.0.0.1,10.0.0.0/33"}, wantKeys: []string{"trusted_proxies", "10.0.0.0/33"}},
		{name: "trusted proxy host name", file: "trusted_proxies: [proxy.internal]\n", wantKeys: []string{"trusted_proxies", "proxy.internal"}},
		{name: "metrics listen without port", env: []string{"PLAUDIT_METRICS_LISTEN=127.0.0.1"}, wantKeys: []string{"metrics_listen"}},
		{name: "short metrics token", env: []string{"PLAUDIT_METRICS_TOKEN=secret"}, wantKeys: []string{"metrics_token"}},
		{name: "zero hash concurrency", env: []string{"PLAUDIT_AUTH_HASH_CONCURRENCY=0"}, wantKeys: []string{"auth.hash_concurrency"}},
		{name: "negative ip attempts", env: []string{"PLAUDIT_AUTH_IP_ATTEMPTS=-1"}, wantKeys: []string{"auth.ip_attempts"}},
		{name: "negative username attempts", file: "auth:\n  username_attempts: -2\n", wantKeys: []string{"auth.username_attempts"}},
		{name: "zero attempt window", env: []string{"PLAUDIT_AUTH_ATTEMPT_WINDOW=0s"}, wantKeys: []string{"auth.attempt_window"}},
		{name: "token ttl too short", flags: []string{"--auth.token-ttl", "30s"}, wantKeys: []string{"auth.token_ttl"}},
		{name: "zero payout threshold", env: []string{"PLAUDIT_MONEY_PAYOUT_THRESHOLD=0.00"}, wantKeys: []string{"money.payout_threshold"}},
		{name: "negative payout threshold", file: "money:\n  payout_threshold: \"-5.00\"\n", wantKeys: []string{"money.payout_threshold"}},
		{name: "unknown payout provider", env: []string{"PLAUDIT_MONEY_PAYOUT_PROVIDER=paypal"}, wantKeys: []string{"money.payout_provider"}},
		{name: "stripe payouts without a key", env: []string{"PLAUDIT_MONEY_PAYOUT_PROVIDER=stripe"}, wantKeys: []string{"money.payout_provider", "stripe_secret_key"}},
		{name: "debtor IBAN checksum", env: []string{"PLAUDIT_MONEY_SEPA_DEBTOR_NAME=P", "PLAUDIT_MONEY_SEPA_DEBTOR_IBAN=DE89370400440532013001"}, wantKeys: []string{"money.sepa_debtor_iban", "check digits"}},
		{name: "debtor IBAN without a name", env: []string{"PLAUDIT_MONEY_SEPA_DEBTOR_IBAN=DE89370400440532013000"}, wantKeys: []string{"money.sepa_debtor_name"}},
		{name: "debtor BIC", env: []string{"PLAUDIT_MONEY_SEPA_DEBTOR_BIC=XX"}, wantKeys: []string{"money.sepa_debtor_bic"}},
		{name: "every bad key named", env: []string{"PLAUDIT_CURRENCY=euro", "PLAUDIT_SIGNUP=maybe"}, wantKeys: []string{"currency", "signup"}},
		{name: "unknown file key", file: "listen: 127.0.0.1:8080\nlisten_addr: 127.0.0.1:9000\n", wantKeys: []string{"listen_addr"}},
		{name: "unknown nested file key", file: "federation:\n  allow_https: true\n", wantKeys: []string{"federation.allow_https"}},
		{name: "scalar where a section belongs", file: "worker: 5\n", wantKeys: []string{"worker", "worker.concurrency"}},
		{name: "bad YAML", file: "listen: [\n", wantKeys: []string{"plaudit.yaml"}},
		{name: "unknown env variable", env: []string{"PLAUDIT_FOO=1"}, wantKeys: []string{"PLAUDIT_FOO"}},
		{name: "env variable with flag spelling", env: []string{"PLAUDIT_FEDERATION.ALLOW_HTTP=true"}, wantKeys: []string{"PLAUDIT_FEDERATION.ALLOW_HTTP"}},
		{name: "bad value from a file that env does not fix", file: "signup: maybe\n", env: []string{"PLAUDIT_CURRENCY=USD"}, wantKeys: []string{"signup"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = mustWriteFile(t, tt.file)
			}
			_, err := Load(path, tt.env, mustParseFlags(t, tt.flags...))
			if err == nil {
				t.Fatalf("Load succeeded, want an error naming %q", tt.wantKeys)
			}
			t.Logf("Load error: %v", err)
			for _, key := range tt.wantKeys {
				if !strings.Contains(err.Error(), key) {
					t.Errorf("Load error %q does not name %q", err, key)
				}
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing.yaml")
	if _, err := Load(path, nil, nil); err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("Load(%q) error = %v, want one naming the file", path, err)
	}
}

func TestPublicSchemeAndBaseURL(t *testing.T) {
	tests := []struct {
		name       string
		domain     string
		scheme     string
		wantScheme string
		wantBase   string
	}{
		{name: "localhost with port", domain: "localhost:8080", wantScheme: "http", wantBase: "http://localhost:8080"},
		{name: "localhost without port", domain: "localhost", wantScheme: "http", wantBase: "http://localhost"},
		{name: "IPv4 loopback", domain: "127.0.0.1:8080", wantScheme: "http", wantBase: "http://127.0.0.1:8080"},
		{name: "other IPv4 loopback", domain: "127.0.0.2:8081", wantScheme: "http", wantBase: "http://127.0.0.2:8081"},
		{name: "IPv6 loopback", domain: "[::1]:8080", wantScheme: "http", wantBase: "http://[::1]:8080"},
		{name: "public name", domain: "plaudit.example", wantScheme: "https", wantBase: "https://plaudit.example"},
		{name: "public name with port", domain: "plaudit.example:8443", wantScheme: "https", wantBase: "https://plaudit.example:8443"},
		{name: "name that starts with localhost", domain: "localhost.example", wantScheme: "https", wantBase: "https://localhost.example"},
		{name: "explicit https on localhost", domain: "localhost:8080", scheme: "https", wantScheme: "https", wantBase: "https://localhost:8080"},
		{name: "explicit http on a public name", domain: "a.localhost:8081", scheme: "http", wantScheme: "http", wantBase: "http://a.localhost:8081"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			cfg.Domain, cfg.Scheme = tt.domain, tt.scheme
			if err := cfg.Validate(); err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if got := cfg.PublicScheme(); got != tt.wantScheme {
				t.Errorf("PublicScheme() = %q, want %q", got, tt.wantScheme)
			}
			if got := cfg.BaseURL(); got != tt.wantBase {
				t.Errorf("BaseURL() = %q, want %q", got, tt.wantBase)
			}
		})
	}
}

func TestDatabaseChoice(t *testing.T) {
	tests := []struct {
		name         string
		databaseURL  string
		dataDir      string
		wantPostgres bool
		wantSQLite   string
	}{
		{name: "empty uses data_dir", databaseURL: "", dataDir: "/srv/plaudit", wantSQLite: "/srv/plaudit/plaudit.db"},
		{name: "postgres scheme", databaseURL: "postgres://u:p@127.0.0.1:5432/db?sslmode=disable", wantPostgres: true},
		{name: "postgresql scheme", databaseURL: "postgresql://u@127.0.0.1/db", wantPostgres: true},
		{name: "plain SQLite path", databaseURL: "/tmp/x.db", wantSQLite: "/tmp/x.db"},
		{name: "sqlite scheme", databaseURL: "sqlite:///tmp/y.db", wantSQLite: "/tmp/y.db"},
		{name: "postgres-looking file name", databaseURL: "postgres.db", wantSQLite: "postgres.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Default()
			cfg.DatabaseURL = tt.databaseURL
			if tt.dataDir != "" {
				cfg.DataDir = tt.dataDir
			}
			if got := cfg.UsesPostgres(); got != tt.wantPostgres {
				t.Errorf("UsesPostgres() = %v, want %v", got, tt.wantPostgres)
			}
			if !tt.wantPostgres {
				if got := cfg.SQLitePath(); got != tt.wantSQLite {
					t.Errorf("SQLitePath() = %q, want %q", got, tt.wantSQLite)
				}
			}
		})
	}
}

func TestEnsureDataDir(t *testing.T) {
	cfg := Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "nested", "data")
	if err := cfg.EnsureDataDir(); err != nil {
		t.Fatalf("EnsureDataDir: %v", err)
	}
	if info, err := os.Stat(cfg.DataDir); err != nil || !info.IsDir() {
		t.Fatalf("data dir %s not created: %v", cfg.DataDir, err)
	}

	pg := Default()
	pg.DataDir = filepath.Join(t.TempDir(), "unused")
	pg.DatabaseURL = "postgres://u@127.0.0.1/db"
	if err := pg.EnsureDataDir(); err != nil {
		t.Fatalf("EnsureDataDir with PostgreSQL: %v", err)
	}
	if _, err := os.Stat(pg.DataDir); !os.IsNotExist(err) {
		t.Errorf("data dir %s created although PostgreSQL is used (stat err %v)", pg.DataDir, err)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		key, env, flag string
	}{
		{key: "listen", env: "PLAUDIT_LISTEN", flag: "listen"},
		{key: "database_url", env: "PLAUDIT_DATABASE_URL", flag: "database-url"},
		{key: "federation.allow_http", env: "PLAUDIT_FEDERATION_ALLOW_HTTP", flag: "federation.allow-http"},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			if got := EnvName(tt.key); got != tt.env {
				t.Errorf("EnvName(%q) = %q, want %q", tt.key, got, tt.env)
			}
			if got := FlagName(tt.key); got != tt.flag {
				t.Errorf("FlagName(%q) = %q, want %q", tt.key, got, tt.flag)
			}
		})
	}
}

func TestEveryKeyHasFlagAndHelp(t *testing.T) {
	fs := mustParseFlags(t)
	keys := Keys()
	if len(keys) < 15 {
		t.Fatalf("Keys() = %q, want every field of Config", keys)
	}
	for _, f := range fields() {
		flag := fs.Lookup(FlagName(f.key))
		if flag == nil {
			t.Errorf("key %s has no flag --%s", f.key, FlagName(f.key))
			continue
		}
		if f.help == "" || flag.Usage != f.help {
			t.Errorf("key %s: help tag %q, flag usage %q; want the same non-empty text", f.key, f.help, flag.Usage)
		}
	}
}
