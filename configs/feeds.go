package configs

import (
	"fmt"
	"time"
)

// Feeds configures the polling of connected blogs' feeds.
type Feeds struct {
	PollInterval time.Duration `koanf:"poll_interval" help:"time between polls of one healthy feed (each feed gets a jitter of up to a tenth of it)"`
	MaxBackoff   time.Duration `koanf:"max_backoff" help:"longest wait between polls of a failing feed (the wait doubles from poll_interval with each failure)"`
	MaxBytes     int64         `koanf:"max_bytes" help:"largest feed read, in bytes; a larger one is refused and shown in the blog's status"`
	Backfill     int           `koanf:"backfill" help:"newest items of a newly connected feed published at its first poll; the older ones are only remembered (0 none)"`
}

func defaultFeeds() Feeds {
	return Feeds{PollInterval: 30 * time.Minute, MaxBackoff: 24 * time.Hour, MaxBytes: 2 << 20, Backfill: 3}
}

// validate reports the bad feeds.* settings.
func (f Feeds) validate() []error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("config feeds.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if f.PollInterval < time.Minute {
		bad("poll_interval", "%s is below one minute", f.PollInterval)
	}
	if f.MaxBackoff < f.PollInterval {
		bad("max_backoff", "%s is below poll_interval %s", f.MaxBackoff, f.PollInterval)
	}
	if f.MaxBytes < 1024 {
		bad("max_bytes", "%d is below 1024 bytes", f.MaxBytes)
	}
	if f.Backfill < 0 {
		bad("backfill", "%d must be 0 or more", f.Backfill)
	}
	return errs
}
