package instance

import (
	"net/http"
	"net/http/pprof"
	"time"
)

// startDebug serves Go's pprof profiles on debug_listen, apart from the
// public listener.
func (inst *Instance) startDebug() {
	if inst.config.DebugListen == "" {
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Addr: inst.config.DebugListen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	inst.debug = srv
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			inst.logger.Warn("debug listener stopped", "addr", inst.config.DebugListen, "err", err)
		}
	}()
	inst.logger.Info("pprof profiles served", "addr", inst.config.DebugListen)
}
