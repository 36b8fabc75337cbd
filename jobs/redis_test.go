package jobs_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/plaudit/plaudit/jobs"
)

// TestEmbeddedRedisNeedsPassword starts the embedded server and checks that
// only a client with this process's password gets in.
func TestEmbeddedRedisNeedsPassword(t *testing.T) {
	ctx := context.Background()
	r, err := jobs.ConnectRedis(ctx, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	opt, ok := r.Opt.(asynq.RedisClientOpt)
	if !ok {
		t.Fatalf("embedded redis connection option is %T, want asynq.RedisClientOpt", r.Opt)
	}
	if len(opt.Password) < 32 {
		t.Fatalf("embedded redis password %q is too short to be random", opt.Password)
	}
	if err := r.Ping(ctx); err != nil {
		t.Fatalf("the process's own client: %v", err)
	}
	other, err := jobs.ConnectRedis(ctx, "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(other.Close)
	otherPassword := other.Opt.(asynq.RedisClientOpt).Password
	if otherPassword == opt.Password {
		t.Fatal("two embedded servers got the same password")
	}
	for name, tc := range map[string]struct {
		password string
		wantErr  string
	}{
		"no password":             {"", "NOAUTH"},
		"wrong password":          {"not the password", "WRONGPASS"},
		"another server's":        {otherPassword, "WRONGPASS"},
		"this process's password": {opt.Password, ""},
	} {
		t.Run(name, func(t *testing.T) {
			c := redis.NewClient(&redis.Options{Addr: opt.Addr, Password: tc.password, MaxRetries: -1})
			defer c.Close()
			err := c.Ping(ctx).Err()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("PING with the right password: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("PING = %v, want an error with %s", err, tc.wantErr)
			}
		})
	}
	anon := redis.NewClient(&redis.Options{Addr: opt.Addr, MaxRetries: -1})
	defer anon.Close()
	if err := anon.Set(ctx, "injected", "job", 0).Err(); err == nil {
		t.Fatal("SET without the password succeeded")
	}
}
