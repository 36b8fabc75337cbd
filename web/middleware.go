package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"

	"github.com/plaudit/plaudit/app"
)

const (
	ctxLogger    = "plaudit.logger"
	ctxRequestID = "plaudit.request_id"
)

var (
	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "plaudit_http_requests_total",
		Help: "HTTP requests served, by route, method and status.",
	}, []string{"route", "method", "status"})
	httpSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "plaudit_http_request_duration_seconds",
		Help:    "Time to serve HTTP requests, by route and method.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "method"})
)

// requestID gives every request an id (the client's X-Request-Id when it
// sent a sane one) and a logger that carries it.
func (s *Server) requestID(c *gin.Context) {
	id := c.GetHeader("X-Request-Id")
	if len(id) == 0 || len(id) > 64 {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Header("X-Request-Id", id)
	c.Set(ctxRequestID, id)
	c.Set(ctxLogger, s.deps.Logger.With("request_id", id))
	c.Next()
}

// logger returns the request's logger.
func logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(ctxLogger); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}

func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	logger(c).Info("http request",
		"method", c.Request.Method, "path", c.Request.URL.Path, "status", c.Writer.Status(),
		"bytes", c.Writer.Size(), "duration_ms", float64(time.Since(start).Microseconds())/1000,
		"remote", c.ClientIP())
}

func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok && errors.Is(err, http.ErrAbortHandler) {
				panic(r)
			}
			logger(c).Error("panic serving request", "panic", r)
			s.fail(c, &app.Error{Code: app.EINTERNAL, Message: "internal error"})
		}
	}()
	c.Next()
}

func (s *Server) metrics(c *gin.Context) {
	start := time.Now()
	c.Next()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	httpRequests.WithLabelValues(route, c.Request.Method, strconv.Itoa(c.Writer.Status())).Inc()
	httpSeconds.WithLabelValues(route, c.Request.Method).Observe(time.Since(start).Seconds())
}

// limitBody caps every request body; reading past the cap fails, and a
// declared Content-Length over it is refused at once.
func (s *Server) limitBody(c *gin.Context) {
	if c.Request.ContentLength > s.deps.BodyLimit {
		s.fail(c, app.Errorf(app.ETOOLARGE, "request body is larger than %d bytes", s.deps.BodyLimit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.deps.BodyLimit)
	c.Next()
}

func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	c.Next()
}
