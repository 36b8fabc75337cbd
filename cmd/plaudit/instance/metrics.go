package instance

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/plaudit/plaudit/web"
)

// startMetrics serves Prometheus metrics on metrics_listen, apart from the
// public listener (behind metrics_token when it is set). Unlike the debug
// listener, an address that cannot be listened on fails the start: an
// operator who asked for metrics expects them.
func (inst *Instance) startMetrics() error {
	if inst.config.MetricsListen == "" {
		return nil
	}
	ln, err := net.Listen("tcp", inst.config.MetricsListen)
	if err != nil {
		return fmt.Errorf("listen for metrics on %s: %w", inst.config.MetricsListen, err)
	}
	srv := &http.Server{Handler: web.MetricsHandler(inst.config.MetricsToken), ReadHeaderTimeout: 10 * time.Second}
	inst.metrics, inst.metricsL = srv, ln
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			inst.logger.Warn("metrics listener stopped", "addr", ln.Addr().String(), "err", err)
		}
	}()
	inst.logger.Info("metrics served", "addr", ln.Addr().String(), "token", inst.config.MetricsToken != "")
	return nil
}

// MetricsAddr is the address metrics are served on, once started; empty
// when metrics_listen is not set.
func (inst *Instance) MetricsAddr() string {
	if inst.metricsL == nil {
		return ""
	}
	return inst.metricsL.Addr().String()
}
