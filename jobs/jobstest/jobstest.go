// Package jobstest gives tests a Redis connection: the real server named by
// PLAUDIT_TEST_REDIS_URL when set (the test fails if it cannot be reached),
// else an embedded one; and a queue namespace of the test's own.
package jobstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/hibiken/asynq"

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

// QueueInfo reports the tasks of queue (a name without namespace) in the
// states asynq keeps; a queue nothing was ever put on is empty.
func QueueInfo(tb testing.TB, r *jobs.Redis, queues jobs.Queues, queue string) asynq.QueueInfo {
	tb.Helper()
	info, err := asynq.NewInspectorFromRedisClient(r.Client()).GetQueueInfo(queues.Name(queue))
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return asynq.QueueInfo{Queue: queues.Name(queue)}
	}
	if err != nil {
		tb.Fatalf("queue %s: %v", queue, err)
	}
	return *info
}

// Busy tells whether queue has tasks that will still run: pending,
// running, scheduled or waiting for a retry.
func Busy(tb testing.TB, r *jobs.Redis, queues jobs.Queues, queue string) bool {
	tb.Helper()
	i := QueueInfo(tb, r, queues, queue)
	return i.Pending+i.Active+i.Scheduled+i.Retry > 0
}

// WaitUntil polls cond until it holds, failing the test after a generous
// deadline (30 s): for work that background jobs finish.
func WaitUntil(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
