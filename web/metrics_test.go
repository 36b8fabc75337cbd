package web_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/plaudit/plaudit/app/accounts"
	"github.com/plaudit/plaudit/app/store"
	"github.com/plaudit/plaudit/web"
)

const metricsToken = "a-metrics-token-of-some-length"

// healthzCounter is the line /metrics has once /healthz was served.
const healthzCounter = `plaudit_http_requests_total{method="GET",route="/healthz",status="200"}`

func TestMetricsOnTheMainListener(t *testing.T) {
	for name, tc := range map[string]struct {
		configured, presented string
		want                  int
	}{
		"no token configured: not served":    {"", "", http.StatusNotFound},
		"no token configured, one presented": {"", metricsToken, http.StatusNotFound},
		"token configured, none presented":   {metricsToken, "", http.StatusNotFound},
		"token configured, wrong one":        {metricsToken, metricsToken + "x", http.StatusNotFound},
		"token configured, a prefix of it":   {metricsToken, metricsToken[:10], http.StatusNotFound},
		"token configured and presented":     {metricsToken, metricsToken, http.StatusOK},
		"presented with spaces around it":    {metricsToken, " " + metricsToken + " ", http.StatusOK},
	} {
		t.Run(name, func(t *testing.T) {
			s := newServer(t, nil, func(d *web.Deps, _ *accounts.Service, _ *store.Store) { d.MetricsToken = tc.configured })
			s.do(t, "GET", "/healthz", "", "", nil)
			header := http.Header{}
			if tc.presented != "" {
				header.Set("Authorization", "Bearer "+tc.presented)
			}
			resp, body := s.do(t, "GET", "/metrics", "", "", header)
			if resp.StatusCode != tc.want {
				t.Fatalf("GET /metrics = %d, want %d", resp.StatusCode, tc.want)
			}
			if served := strings.Contains(body, healthzCounter); served != (tc.want == http.StatusOK) {
				t.Fatalf("GET /metrics served metrics: %v, want %v:\n%.500s", served, tc.want == http.StatusOK, body)
			}
			if tc.want == http.StatusNotFound {
				_, unknown := s.do(t, "GET", "/no-such-page", "", "", nil)
				if body != unknown {
					t.Errorf("refused /metrics answers %q, an unknown page %q: the route shows", body, unknown)
				}
			}
		})
	}
}

func TestMetricsHandler(t *testing.T) {
	for name, tc := range map[string]struct {
		token, presented, path string
		want                   int
	}{
		"no token":        {"", "", "/metrics", http.StatusOK},
		"token presented": {metricsToken, metricsToken, "/metrics", http.StatusOK},
		"token missing":   {metricsToken, "", "/metrics", http.StatusNotFound},
		"token wrong":     {metricsToken, "nope", "/metrics", http.StatusNotFound},
		"another path":    {"", "", "/debug/pprof/", http.StatusNotFound},
	} {
		t.Run(name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.presented != "" {
				req.Header.Set("Authorization", "Bearer "+tc.presented)
			}
			rec := httptest.NewRecorder()
			web.MetricsHandler(tc.token).ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("%s = %d, want %d", tc.path, rec.Code, tc.want)
			}
			if tc.want == http.StatusOK && !strings.Contains(rec.Body.String(), "go_goroutines") {
				t.Fatalf("no Go runtime metrics in:\n%.500s", rec.Body.String())
			}
		})
	}
}
