package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/plaudit/plaudit/app"
)

// prometheusHandler serves the default registry, where every Plaudit
// metric is registered.
var prometheusHandler = promhttp.Handler()

// MetricsHandler serves Prometheus metrics, for a listener of its own
// (metrics_listen). With a token, a request without
// `Authorization: Bearer <token>` gets 404, as if nothing were there.
func MetricsHandler(token string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" || (token != "" && !metricsAuthorized(r, token)) {
			http.NotFound(w, r)
			return
		}
		prometheusHandler.ServeHTTP(w, r)
	})
}

// metricsWithToken is /metrics on the public listener: only for requests
// that present Deps.MetricsToken; the others get the same 404 as an
// unknown page, so the route does not show.
func (s *Server) metricsWithToken(c *gin.Context) {
	if !metricsAuthorized(c.Request, s.deps.MetricsToken) {
		s.fail(c, app.Errorf(app.ENOTFOUND, "no such page"))
		return
	}
	prometheusHandler.ServeHTTP(c.Writer, c.Request)
}

// metricsAuthorized compares the request's bearer token with token in
// constant time.
func metricsAuthorized(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(token)) == 1
}
