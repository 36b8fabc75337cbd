package instance_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/cmd/plaudit/instance"
	"github.com/plaudit/plaudit/configs"
	"github.com/plaudit/plaudit/jobs"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// node is one Plaudit instance in a federation test: its own database,
// queue namespace and HTTP listener on 127.0.0.1.
type node struct {
	t      *testing.T
	name   string
	cfg    configs.Config
	queues jobs.Queues
	addr   string
	inst   *instance.Instance
	// embedLimit, when set, is the instance's StatementEmbedLimit.
	embedLimit int
}

var cheapArgon = &argon2id.Params{Memory: 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

func testLogger(t *testing.T, name string) *slog.Logger {
	if os.Getenv("PLAUDIT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})).With("node", name)
	}
	return slog.New(slog.DiscardHandler)
}

// startNode starts an instance on a fresh database and a free loopback port.
func startNode(t *testing.T, name string) *node {
	t.Helper()
	return startNodeWith(t, name, func(*configs.Config) {})
}

// startNodeWith is startNode with a change to the configuration.
func startNodeWith(t *testing.T, name string, change func(*configs.Config)) *node {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg := configs.Default()
	cfg.Domain = ln.Addr().String()
	cfg.Scheme = "http"
	cfg.DataDir = t.TempDir()
	cfg.DatabaseURL = storetest.URL(t)
	cfg.RedisURL = jobstest.URL()
	cfg.Federation.AllowHTTP = true
	cfg.Federation.AllowPrivateAddresses = true
	cfg.ShutdownTimeout = 5 * time.Second
	change(&cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, name: name, cfg: cfg, queues: jobstest.Queues(t), addr: ln.Addr().String()}
	n.start(ln)
	t.Cleanup(n.stop)
	return n
}

func (n *node) start(ln net.Listener) {
	n.t.Helper()
	inst, err := instance.Open(context.Background(), n.cfg, instance.Options{
		Web: true, Worker: true, Listener: ln, Queues: n.queues,
		JobPollInterval:     100 * time.Millisecond,
		Accounts:            &accounts.Options{Argon2: cheapArgon},
		DeliveryBackoff:     func(int) time.Duration { return 300 * time.Millisecond },
		StatementEmbedLimit: n.embedLimit,
		Logger:              testLogger(n.t, n.name),
	})
	if err != nil {
		n.t.Fatalf("open %s: %v", n.name, err)
	}
	if err := inst.Start(); err != nil {
		n.t.Fatalf("start %s: %v", n.name, err)
	}
	n.inst = inst
}

// stop shuts the instance down, keeping its database.
func (n *node) stop() {
	if n.inst == nil {
		return
	}
	_ = n.inst.Shutdown(context.Background())
	n.inst.Close()
	n.inst = nil
}

// restart starts the instance again on the same address and database.
func (n *node) restart() {
	n.t.Helper()
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", n.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		n.t.Fatalf("listen again on %s: %v", n.addr, err)
	}
	n.start(ln)
}

func (n *node) base() string { return "http://" + n.addr }

func (n *node) actor(username string) string { return n.base() + "/users/" + username }

// user creates a local user and returns an API token for it.
func (n *node) user(username string) string {
	n.t.Helper()
	ctx := context.Background()
	if _, err := n.inst.TestAccounts().CreateUser(ctx, username, "a long password", false); err != nil {
		n.t.Fatal(err)
	}
	token, err := n.inst.TestAccounts().CreateToken(ctx, username, "test")
	if err != nil {
		n.t.Fatal(err)
	}
	return token
}

// post sends a client-to-server activity to username's outbox and returns
// the created activity's id.
func (n *node) post(username, token string, activity map[string]any) string {
	n.t.Helper()
	body, _ := json.Marshal(activity)
	req, _ := http.NewRequest(http.MethodPost, n.actor(username)+"/outbox", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusCreated {
		n.t.Fatalf("%s: POST outbox of %s = %d %s", n.name, username, resp.StatusCode, out)
	}
	return resp.Header.Get("Location")
}

// count runs a COUNT query on the node's database.
func (n *node) count(query string, args ...any) int64 {
	n.t.Helper()
	var c int64
	if err := n.inst.TestStore().DB().Raw(query, args...).Scan(&c).Error; err != nil {
		n.t.Fatalf("%s: %s: %v", n.name, query, err)
	}
	return c
}

// eventually polls cond for up to 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// followState returns the state of follower's follow of followee as the
// node sees it, or "" when there is none.
func (n *node) followState(follower, followee string) string {
	n.t.Helper()
	var state string
	n.inst.TestStore().DB().Raw("SELECT state FROM follows WHERE follower_uri = ? AND followee_uri = ?", follower, followee).Scan(&state)
	return state
}

func note(content string, to ...string) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"type":     "Note",
		"content":  content,
		"to":       to,
	}
}

// api calls the node's JSON API with a bearer token and decodes the answer
// into out (when not nil); the status must be want.
func (n *node) api(method, path, token string, want int, out any) {
	n.t.Helper()
	n.apiJSON(method, path, token, nil, want, out)
}

// apiJSON is api with a JSON request body (none when body is nil).
func (n *node) apiJSON(method, path, token string, body any, want int, out any) {
	n.t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			n.t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.base()+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		n.t.Fatalf("%s: %s %s = %d %s, want %d", n.name, method, path, resp.StatusCode, answer, want)
	}
	if out != nil {
		if err := json.Unmarshal(answer, out); err != nil {
			n.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
}
