package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/cmd/plaudit/instance"
)

// TestMetricsListener runs an instance with metrics_listen, with and
// without metrics_token, and checks where /metrics answers.
func TestMetricsListener(t *testing.T) {
	const token = "metrics-token-for-the-test"
	type want struct{ metricsNoToken, metricsToken, mainNoToken, mainToken int }
	for name, tc := range map[string]struct {
		token string
		want  want
	}{
		"listener without token": {"", want{200, 200, 404, 404}},
		"listener with token":    {token, want{404, 200, 404, 200}},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(t)
			cfg.MetricsListen = "127.0.0.1:0"
			cfg.MetricsToken = tc.token
			inst, err := instance.Open(context.Background(), cfg, instance.Options{Web: true, Worker: true, Listener: listen(t), Queues: queuesFor(t), Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			defer inst.Close()
			if err := inst.Start(); err != nil {
				t.Fatal(err)
			}
			metricsURL := "http://" + inst.MetricsAddr() + "/metrics"
			mainURL := "http://" + inst.Addr() + "/metrics"
			got := want{
				metricsNoToken: getMetrics(t, metricsURL, ""),
				metricsToken:   getMetrics(t, metricsURL, token),
				mainNoToken:    getMetrics(t, mainURL, ""),
				mainToken:      getMetrics(t, mainURL, token),
			}
			if got != tc.want {
				t.Errorf("/metrics statuses = %+v, want %+v", got, tc.want)
			}
			if err := inst.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if resp, err := http.Get(metricsURL); err == nil {
				resp.Body.Close()
				t.Fatal("the metrics listener still answers after Shutdown")
			}
		})
	}
}

// getMetrics GETs url with an optional bearer token; a 200 must carry
// Plaudit's metrics.
func getMetrics(t *testing.T, url, token string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(body), "go_goroutines") {
		t.Fatalf("%s answered 200 without metrics:\n%.300s", url, body)
	}
	return resp.StatusCode
}

func TestMetricsListenerAddressInUse(t *testing.T) {
	busy := listen(t)
	defer busy.Close()
	cfg := testConfig(t)
	cfg.MetricsListen = busy.Addr().String()
	inst, err := instance.Open(context.Background(), cfg, instance.Options{Web: true, Worker: true, Listener: listen(t), Queues: queuesFor(t), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	err = inst.Start()
	defer inst.Shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "metrics") {
		t.Fatalf("Start with a busy metrics address = %v, want an error naming metrics", err)
	}
}
