package web

import (
	"fmt"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := newBuckets(2, 10*time.Second, 100) // a token every 5 s
	for i, step := range []struct {
		at     time.Duration
		op     string // take or give
		want   bool
		wantIn time.Duration
	}{
		{0, "take", true, 0},
		{0, "take", true, 0},
		{0, "take", false, 5 * time.Second},
		{2 * time.Second, "take", false, 3 * time.Second},
		{2 * time.Second, "give", true, 0},
		{2 * time.Second, "take", true, 0},
		{5 * time.Second, "take", true, 0}, // 0.4 + 0.6 refilled = 1
		{5 * time.Second, "take", false, 5 * time.Second},
		{time.Hour, "take", true, 0},
		{time.Hour, "take", true, 0},
		{time.Hour, "give", true, 0},
		{time.Hour, "give", true, 0},
		{time.Hour, "give", true, 0}, // never above capacity
		{time.Hour, "take", true, 0},
		{time.Hour, "take", true, 0},
		{time.Hour, "take", false, 5 * time.Second},
	} {
		now := t0.Add(step.at)
		if step.op == "give" {
			b.give("k", now)
			continue
		}
		ok, wait := b.take("k", now)
		if ok != step.want || (!ok && (wait < step.wantIn-time.Millisecond || wait > step.wantIn+time.Millisecond)) {
			t.Fatalf("step %d at %v: take = %v, %v; want %v, %v", i, step.at, ok, wait, step.want, step.wantIn)
		}
	}
}

func TestBucketsAreBounded(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	b := newBuckets(1, time.Hour, 3)
	for i := range 3 {
		if ok, _ := b.take(fmt.Sprint("ip", i), t0); !ok {
			t.Fatalf("first take of ip%d refused", i)
		}
	}
	if ok, _ := b.take("ip0", t0); ok {
		t.Fatal("ip0 took a second token within the hour")
	}
	b.take("ip3", t0) // evicts ip1, the least recently used
	if got := b.size(); got != 3 {
		t.Fatalf("%d keys tracked, want at most 3", got)
	}
	if ok, _ := b.take("ip1", t0); !ok {
		t.Fatal("evicted ip1 should start again with a full bucket")
	}
	if ok, _ := b.take("ip0", t0); ok {
		t.Fatal("ip0, recently used, was evicted")
	}
}

func TestNoBucketsMeansNoLimit(t *testing.T) {
	b := newBuckets(0, time.Minute, 10)
	for range 100 {
		if ok, _ := b.take("k", time.Now()); !ok {
			t.Fatal("a disabled limit refused")
		}
	}
	b.give("k", time.Now())
}

func TestIPKey(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.7":          "203.0.113.7",
		"::ffff:203.0.113.7":   "203.0.113.7",
		"2001:db8:1:2::1":      "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::9": "2001:db8:1:2::/64",
		"not an ip":            "not an ip",
	} {
		if got := ipKey(in); got != want {
			t.Errorf("ipKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestHumanWait(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                       "1 second",
		300 * time.Millisecond:  "1 second",
		1500 * time.Millisecond: "2 seconds",
		89 * time.Second:        "89 seconds",
		90 * time.Second:        "2 minutes",
		15 * time.Minute:        "15 minutes",
	} {
		if got := humanWait(d); got != want {
			t.Errorf("humanWait(%v) = %q, want %q", d, got, want)
		}
	}
}
