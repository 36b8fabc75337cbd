package ttlcache

import (
	"fmt"
	"testing"
	"time"
)

func TestExpiryForgetAndBound(t *testing.T) {
	now := time.Unix(1000, 0)
	c := New[int](time.Minute, func() time.Time { return now })
	c.Put("a", 1)
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Fatalf("Get(a) = %v, %v", v, ok)
	}
	now = now.Add(time.Minute - time.Nanosecond)
	if _, ok := c.Get("a"); !ok {
		t.Fatal("entry gone before its ttl")
	}
	now = now.Add(time.Nanosecond)
	if _, ok := c.Get("a"); ok {
		t.Fatal("entry outlived its ttl")
	}
	c.Put("b", 2)
	c.Forget("b")
	if _, ok := c.Get("b"); ok {
		t.Fatal("forgotten entry still there")
	}
	for i := 0; i < MaxEntries+5; i++ {
		c.Put(fmt.Sprint(i), i)
	}
	if n := len(c.entries); n > MaxEntries {
		t.Fatalf("%d entries, bound is %d", n, MaxEntries)
	}
	off := New[int](0, nil)
	off.Put("x", 1)
	if _, ok := off.Get("x"); ok {
		t.Fatal("a cache with ttl 0 remembered a value")
	}
}
