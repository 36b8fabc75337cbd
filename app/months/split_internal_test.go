package months

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSplitSmallMatchesBig: the int64 fast path gives what the
// arbitrary-precision split gives, ties and zero weights included.
func TestSplitSmallMatchesBig(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for run := range 5000 {
		parts := make([]Part, 1+rng.IntN(20))
		for i := range parts {
			parts[i] = Part{Key: fmt.Sprintf("k%d", rng.IntN(8)), Weight: rng.Int64N(4) * rng.Int64N(1_000_000)}
		}
		total := rng.Int64N(100_000_000)
		small, ok := splitSmall(total, parts)
		if !ok {
			t.Fatalf("run %d: no fast path for %d over %v", run, total, parts)
		}
		if big := splitBig(total, parts); !slices.Equal(small, big) {
			t.Fatalf("run %d: Split(%d, %v): fast %v, big %v", run, total, parts, small, big)
		}
	}
	if _, ok := splitSmall(1<<40, []Part{{"a", 1}}); ok {
		t.Fatal("fast path for a total that could overflow")
	}
}
