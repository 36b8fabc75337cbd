// Package jobstest gives tests a Redis connection: the real server named by
// PLAUDIT_TEST_REDIS_URL when set (the test fails if it cannot be reached),
// else an embedded one; and a queue namespace of the test's own.
package jobstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"testing"

	"github.com/plaudit/plaudit/jobs"
)

// EnvRedisURL names the Redis server tests must use when set.
const EnvRedisURL = "PLAUDIT_TEST_REDIS_URL"

// Redis connects to the test Redis, closed when the test ends.
func Redis(tb testing.TB) *jobs.Redis {
	tb.Helper()
	url := os.Getenv(EnvRedisURL)
	r, err := jobs.ConnectRedis(context.Background(), url, slog.New(slog.DiscardHandler))
	if err != nil {
		if url != "" {
			tb.Fatalf("%s is set but Redis is not reachable: %v", EnvRedisURL, err)
		}
		tb.Fatalf("embedded redis: %v", err)
	}
	tb.Cleanup(r.Close)
	return r
}

// URL is the Redis URL tests should configure: the real server's, or empty
// for the embedded default.
func URL() string { return os.Getenv(EnvRedisURL) }

// Queues returns a namespace no other test uses.
func Queues(tb testing.TB) jobs.Queues {
	tb.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return jobs.Queues{Namespace: "test" + hex.EncodeToString(b)}
}
