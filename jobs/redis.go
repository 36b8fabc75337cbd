// Package jobs runs Plaudit's background work on asynq: task types, the
// worker, the periodic scheduler and the Redis connection (a real server in
// production, an embedded in-process one by default).
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"log/slog"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Redis is the connection jobs are queued on.
type Redis struct {
	Opt      asynq.RedisConnOpt
	client   redis.UniversalClient
	embedded *miniredis.Miniredis
	stop     chan struct{}
	done     chan struct{}
}

// ConnectRedis connects to the Redis server at url, or, when url is empty,
// starts an embedded Redis-compatible server on a loopback port. The embedded
// server lives in this process only: nothing queued in it survives a restart
// and no other process can share it. It requires a password made afresh by
// each process, so that other local users cannot read or inject jobs
// through its loopback port.
func ConnectRedis(ctx context.Context, url string, logger *slog.Logger) (*Redis, error) {
	r := &Redis{}
	if url == "" {
		var err error
		if url, err = r.startEmbedded(); err != nil {
			return nil, err
		}
		logger.Info("embedded redis started; jobs live in this process only", "addr", r.embedded.Addr())
	}
	opt, err := asynq.ParseRedisURI(url)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("parse redis_url: %w", err)
	}
	r.Opt = opt
	client, ok := opt.MakeRedisClient().(redis.UniversalClient)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("redis client for %T", opt)
	}
	r.client = client
	if err := r.Ping(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// startEmbedded starts the in-process server behind a random password and
// returns the URL to connect to it with.
func (r *Redis) startEmbedded() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make embedded redis password: %w", err)
	}
	password := base64.RawURLEncoding.EncodeToString(b)
	m := miniredis.NewMiniRedis()
	m.RequireAuth(password)
	if err := m.StartAddr("127.0.0.1:0"); err != nil {
		return "", fmt.Errorf("start embedded redis: %w", err)
	}
	r.embedded = m
	r.stop, r.done = make(chan struct{}), make(chan struct{})
	go r.advanceClock()
	return "redis://:" + password + "@" + m.Addr(), nil
}

// advanceClock moves the embedded server's clock with the real one: miniredis
// does not expire keys by itself, and asynq relies on expiring locks.
func (r *Redis) advanceClock() {
	defer close(r.done)
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-r.stop:
			return
		case now := <-t.C:
			r.embedded.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Embedded tells whether this is the in-process server.
func (r *Redis) Embedded() bool { return r.embedded != nil }

// Client is the go-redis client behind the connection, for features beyond
// the job queue (replay caches, rate limits).
func (r *Redis) Client() redis.UniversalClient { return r.client }

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// Close closes the client and stops the embedded server.
func (r *Redis) Close() {
	if r.client != nil {
		_ = r.client.Close()
	}
	if r.embedded != nil {
		close(r.stop)
		<-r.done
		r.embedded.Close()
	}
}
