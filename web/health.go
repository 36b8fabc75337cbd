package web

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz checks every dependency at once, within two seconds, and answers
// 200 when all answer, 503 otherwise, with each one's state: "ok" or
// "unavailable". The error itself is only logged: it can name hosts, ports
// and users that the public should not see.
func (s *Server) healthz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		checks  = map[string]string{}
		healthy = true
	)
	for name, dep := range s.deps.Health {
		wg.Add(1)
		go func() {
			defer wg.Done()
			state := "ok"
			if err := dep.Ping(ctx); err != nil {
				state = "unavailable"
				logger(c).Warn("health check failed", "dependency", name, "err", err)
			}
			mu.Lock()
			defer mu.Unlock()
			checks[name] = state
			healthy = healthy && state == "ok"
		}()
	}
	wg.Wait()
	status, word := http.StatusOK, "ok"
	if !healthy {
		status, word = http.StatusServiceUnavailable, "unavailable"
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, gin.H{"status": word, "checks": checks})
}
