package inbox

import (
	"testing"
	"time"
)

func TestHostLimiter(t *testing.T) {
	start := time.Unix(1_700_000_000, 0)
	h := newHostLimiter(2, 0, 3) // 2/s, burst defaults to 4
	tests := []struct {
		name     string
		host     string
		at       time.Duration
		wantOK   bool
		wantWait time.Duration
	}{
		{"1st", "a", 0, true, 0},
		{"2nd", "a", 0, true, 0},
		{"3rd", "a", 0, true, 0},
		{"4th fills the burst", "a", 0, true, 0},
		{"5th waits half a second", "a", 0, false, 500 * time.Millisecond},
		{"another host is not affected", "b", 0, true, 0},
		{"a refill after 500ms", "a", 500 * time.Millisecond, true, 0},
	}
	for _, tt := range tests {
		ok, wait := h.allow(tt.host, start.Add(tt.at))
		if ok != tt.wantOK || wait != tt.wantWait {
			t.Errorf("%s: allow = %v, %s; want %v, %s", tt.name, ok, wait, tt.wantOK, tt.wantWait)
		}
	}
}

func TestHostLimiterForgetsLeastRecentlyUsed(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	h := newHostLimiter(1, 1, 2)
	h.allow("a", now)
	h.allow("b", now)
	h.allow("a", now) // a is now the most recent
	h.allow("c", now) // evicts b
	if n := h.size(); n != 2 {
		t.Fatalf("%d hosts tracked, want 2", n)
	}
	if ok, _ := h.allow("a", now); ok {
		t.Error("a was forgotten: its empty bucket was refilled")
	}
	if ok, _ := h.allow("b", now); !ok {
		t.Error("b was not forgotten")
	}
}
