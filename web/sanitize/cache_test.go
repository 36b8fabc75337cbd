package sanitize

import (
	"fmt"
	"strings"
	"testing"
)

// TestCleanedOnceThenRemembered: a second call answers what the first
// cleaned, from the cache; a hostile input is as clean the second time.
func TestCleanedOnceThenRemembered(t *testing.T) {
	in := `<p>hi <a href="javascript:alert(1)">x</a></p><script>alert(1)</script><b>unclosed`
	first := HTML(in)
	if _, ok := cleaned.get(in); !ok {
		t.Fatal("the cleaned input was not remembered")
	}
	if second := HTML(in); second != first {
		t.Fatalf("second answer %q differs from the first %q", second, first)
	}
	if s := string(first); strings.Contains(s, "script") || strings.Contains(s, "javascript") {
		t.Fatalf("not clean: %q", s)
	}
}

// TestCleanCacheStaysBounded: the cache empties itself rather than grow
// past its limit, and does not keep inputs that are too large.
func TestCleanCacheStaysBounded(t *testing.T) {
	c := &cleanCache{limit: 1000}
	for i := range 200 {
		in := fmt.Sprintf("<p>post %d</p>", i)
		c.put(in, "x")
		if c.size > c.limit {
			t.Fatalf("after %d inputs the cache holds %d bytes; limit %d", i+1, c.size, c.limit)
		}
	}
	if len(c.m) == 0 || len(c.m) >= 200 {
		t.Fatalf("%d inputs remembered; want some, not all", len(c.m))
	}
	big := strings.Repeat("a", maxCached+1)
	c.put(big, "a")
	if _, ok := c.get(big); ok {
		t.Fatal("an input larger than maxCached was remembered")
	}
}
