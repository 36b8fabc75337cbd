package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plaudit/plaudit/app/store/storetest"
	"github.com/plaudit/plaudit/jobs/jobstest"
)

// buildBinary compiles plaudit once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "plaudit")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// process is a plaudit command running in the background.
type process struct {
	cmd  *exec.Cmd
	logs *strings.Builder
	done chan error
}

func start(t *testing.T, bin, dir string, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(minimalEnv(), env...)
	logs := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-p.done
	})
	return p
}

// minimalEnv is a clean environment: no PLAUDIT_* from the test runner.
func minimalEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
}

// stop sends SIGTERM and wants a clean exit within the shutdown timeout.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("%s exited with %v:\n%s", p.cmd.Args[1], err, p.logs)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not stop on SIGTERM:\n%s", p.cmd.Args[1], p.logs)
	}
}

// TestBinaryServesWithNothingConfigured runs the README's command in an
// empty folder: no database or Redis configured, /healthz must answer.
func TestBinaryServesWithNothingConfigured(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	p := start(t, bin, dir, []string{"PLAUDIT_LISTEN=" + addr}, "serve")
	waitHTTP(t, "http://"+addr+"/healthz", 30*time.Second)
	if _, err := os.Stat(filepath.Join(dir, "data", "plaudit.db")); err != nil {
		t.Fatalf("embedded database not in ./data: %v", err)
	}
	p.stop(t)
	if !strings.Contains(p.logs.String(), `"msg":"stopped"`) {
		t.Fatalf("no clean stop in the logs:\n%s", p.logs)
	}
}

// TestWebAndWorkerProcesses runs `serve --no-worker` and `worker` as two
// processes on PostgreSQL and Redis: a job enqueued by the web process must
// be processed by the worker process.
func TestWebAndWorkerProcesses(t *testing.T) {
	if os.Getenv(storetest.EnvDatabaseURL) == "" || os.Getenv(jobstest.EnvRedisURL) == "" {
		t.Skipf("needs %s and %s: the embedded Redis cannot be shared between processes", storetest.EnvDatabaseURL, jobstest.EnvRedisURL)
	}
	cfg := testConfig(t)
	env := configEnv(cfg)
	bin := buildBinary(t)
	dir := t.TempDir()
	addr := freeAddr(t)
	runCLI(t, env, "", "migrate")
	runCLI(t, env, "an admin password\n", "user", "create", "root", "--admin")
	token := strings.TrimSpace(runCLI(t, env, "", "token", "create", "root", "--scopes", "admin:read,admin:write"))

	procEnv := append(env, "PLAUDIT_AUTO_MIGRATE=false", "PLAUDIT_LISTEN="+addr)
	web := start(t, bin, dir, procEnv, "serve", "--no-worker")
	worker := start(t, bin, dir, procEnv, "worker")
	waitHTTP(t, "http://"+addr+"/healthz", 30*time.Second)

	probe := callAPI(t, http.MethodPost, "http://"+addr+"/api/v1/admin/jobs/probes", token)
	if probe.ProcessedBy != nil {
		t.Fatal("probe processed at once: no worker should be in the web process")
	}
	deadline := time.Now().Add(30 * time.Second)
	for probe.ProcessedBy == nil {
		if time.Now().After(deadline) {
			t.Fatalf("probe %d not processed within 30 s\nweb:\n%s\nworker:\n%s", probe.ID, web.logs, worker.logs)
		}
		time.Sleep(100 * time.Millisecond)
		probe = callAPI(t, http.MethodGet, fmt.Sprintf("http://%s/api/v1/admin/jobs/probes/%d", addr, probe.ID), token)
	}
	if !strings.HasPrefix(*probe.ProcessedBy, "worker@") || !strings.HasPrefix(probe.EnqueuedBy, "web@") {
		t.Fatalf("probe enqueued by %q, processed by %q", probe.EnqueuedBy, *probe.ProcessedBy)
	}
	if *probe.ProcessedBy == strings.Replace(probe.EnqueuedBy, "web@", "worker@", 1) {
		t.Fatal("the probe was processed by the web process itself")
	}
	web.stop(t)
	worker.stop(t)
}

type probeResult struct {
	ID          int64   `json:"id"`
	EnqueuedBy  string  `json:"enqueued_by"`
	ProcessedBy *string `json:"processed_by"`
}

func callAPI(t *testing.T, method, url, token string) probeResult {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s", method, url, resp.Status)
	}
	var p probeResult
	if err := json.NewDecoder(resp.Body).Decode(&p); err != nil {
		t.Fatal(err)
	}
	return p
}
