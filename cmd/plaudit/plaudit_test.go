package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/plaudit/plaudit/cmd/plaudit/instance"
)

func TestVersionAndHelp(t *testing.T) {
	if out := runCLI(t, nil, "", "version"); !strings.HasPrefix(out, "plaudit ") {
		t.Fatalf("version printed %q", out)
	}
	for _, cmd := range []string{"serve", "worker", "migrate", "user create", "token create", "token list", "token revoke", "invite create", "version"} {
		out := runCLI(t, nil, "", append(strings.Fields(cmd), "--help")...)
		if !strings.Contains(out, "Usage:") {
			t.Errorf("%s --help printed no usage:\n%s", cmd, out)
		}
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	var out strings.Builder
	code := run(context.Background(), []string{"migrate"}, nil, &out, &out, []string{"PLAUDIT_CURRENCY=euro"})
	if code == 0 || !strings.Contains(out.String(), "currency") {
		t.Fatalf("exit %d, output %q: want a failure naming currency", code, out.String())
	}
}

func TestMigrateTwice(t *testing.T) {
	env := configEnv(testConfig(t))
	if out := runCLI(t, env, "", "migrate"); !strings.HasPrefix(out, "applied ") || strings.HasPrefix(out, "applied 0 ") {
		t.Fatalf("first migrate: %q", out)
	}
	if out := runCLI(t, env, "", "migrate"); !strings.HasPrefix(out, "applied 0 migrations") {
		t.Fatalf("second migrate: %q, want nothing applied", out)
	}
}

// TestCLIUserLogsInOnTheWeb creates a user with the command line, then signs
// in with the same password through the web form of a running instance.
func TestCLIUserLogsInOnTheWeb(t *testing.T) {
	cfg := testConfig(t)
	env := configEnv(cfg)
	out := runCLI(t, env, "", "user", "create", "Alice", "--admin")
	if !strings.Contains(out, "created user alice (admin: true)") || !strings.Contains(out, "password: ") {
		t.Fatalf("user create printed %q", out)
	}
	password := strings.TrimSpace(out[strings.Index(out, "password: ")+len("password: "):])
	runCLI(t, env, "typed password 123\n", "user", "create", "bob")

	inst, err := instance.Open(context.Background(), cfg, instance.Options{Web: true, Worker: true, Listener: listen(t), Queues: queuesFor(t), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if err := inst.Start(); err != nil {
		t.Fatal(err)
	}
	defer inst.Shutdown(context.Background())
	base := "http://" + inst.Addr()
	signIn(t, base, "alice", password)
	signIn(t, base, "BOB", "typed password 123")

	token := strings.TrimSpace(runCLI(t, env, "", "token", "create", "alice"))
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/api/v1/me with the CLI token: %d", resp.StatusCode)
	}
	runCLI(t, env, "", "token", "revoke", "--user", "alice", "--name", "cli")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/api/v1/me with the revoked CLI token: %d, want 401", resp.StatusCode)
	}
}

// TestGracefulShutdown checks that a request in flight when shutdown starts
// still completes, and that the server then stops accepting connections.
func TestGracefulShutdown(t *testing.T) {
	cfg := testConfig(t)
	entered := make(chan struct{})
	var completed atomic.Bool
	slow := func(e *gin.Engine) {
		e.GET("/test/slow", func(c *gin.Context) {
			close(entered)
			time.Sleep(500 * time.Millisecond)
			completed.Store(true)
			c.String(http.StatusOK, "done")
		})
	}
	inst, err := instance.Open(context.Background(), cfg, instance.Options{Web: true, Worker: true, Listener: listen(t), Queues: queuesFor(t), Logger: quietLogger(), Mount: []func(*gin.Engine){slow}})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	if err := inst.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://" + inst.Addr()
	result := make(chan error, 1)
	go func() {
		resp, err := http.Get(base + "/test/slow")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				err = errors.New(resp.Status)
			}
		}
		result <- err
	}()
	<-entered
	if err := inst.Shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if !completed.Load() {
		t.Fatal("Shutdown returned before the in-flight request completed")
	}
	if err := <-result; err != nil {
		t.Fatalf("in-flight request failed: %v", err)
	}
	if resp, err := http.Get(base + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("server still accepts requests after shutdown")
	}
}

func TestServeRefusesUnknownSchema(t *testing.T) {
	cfg := testConfig(t)
	env := configEnv(cfg)
	runCLI(t, env, "", "migrate")
	st, err := instance.OpenStore(context.Background(), cfg, quietLogger())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, ?)", true).Error; err != nil {
		t.Fatal(err)
	}
	_ = st.Close()
	_, err = instance.Open(context.Background(), cfg, instance.Options{Web: true, Worker: true, Listener: listen(t), Queues: queuesFor(t), Logger: quietLogger()})
	if err == nil || !strings.Contains(err.Error(), "newer plaudit") {
		t.Fatalf("Open on a newer schema = %v, want refusal", err)
	}
}
