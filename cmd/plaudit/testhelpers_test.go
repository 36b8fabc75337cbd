package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// testConfig is a configuration on a fresh test database and the test Redis.
func testConfig(t *testing.T) configs.Config {
	t.Helper()
	cfg := configs.Default()
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = storetest.URL(t)
	cfg.RedisURL = jobstest.URL()
	cfg.Domain = "127.0.0.1"
	cfg.Listen = "127.0.0.1:0"
	cfg.ShutdownTimeout = 10 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// configEnv turns cfg's storage settings into PLAUDIT_* variables for a
// command run.
func configEnv(cfg configs.Config) []string {
	return []string{
		"PLAUDIT_DATA_DIR=" + cfg.DataDir,
		"PLAUDIT_DATABASE_URL=" + cfg.DatabaseURL,
		"PLAUDIT_REDIS_URL=" + cfg.RedisURL,
		"PLAUDIT_LOG_LEVEL=warn",
	}
}

// runCLI runs the plaudit command in-process and returns stdout.
func runCLI(t *testing.T, environ []string, stdin string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, environ); code != 0 {
		t.Fatalf("plaudit %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// signIn logs in through the web form and returns the signed-in client.
func signIn(t *testing.T, base, username, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRe.FindSubmatch(page)
	if m == nil {
		t.Fatalf("login page has no CSRF token:\n%s", page)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"csrf_token": {string(m[1])}, "username": {username}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	home, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(home), "Signed in as") {
		t.Fatalf("login as %s failed: %d\n%s", username, resp.StatusCode, home)
	}
	return c
}

// waitHTTP polls url until it answers 200.
func waitHTTP(t *testing.T, url string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 within %s (last error %v)", url, within, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func queuesFor(t *testing.T) jobs.Queues { return jobstest.Queues(t) }
