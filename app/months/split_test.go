package months_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/plaudit/plaudit/app/months"
)

// TestSplitExamples: floors first, the leftover to the largest remainders,
// ties by key.
func TestSplitExamples(t *testing.T) {
	for _, tc := range []struct {
		total int64
		parts []months.Part
		want  []int64
	}{
		{200, []months.Part{{"a", 1}, {"b", 1}, {"c", 1}}, []int64{67, 67, 66}},
		{200, []months.Part{{"c", 1}, {"b", 1}, {"a", 1}}, []int64{66, 67, 67}},
		{1000, []months.Part{{"x", 3}, {"y", 1}}, []int64{750, 250}},
		{1, []months.Part{{"x", 1}, {"y", 1}}, []int64{1, 0}},
		{100, []months.Part{{"co", 70}, {"au", 30}}, []int64{70, 30}},
		{10, []months.Part{{"a", 0}, {"b", 2}}, []int64{0, 10}},
		{0, []months.Part{{"a", 1}}, []int64{0}},
	} {
		if got := months.Split(tc.total, tc.parts); !slices.Equal(got, tc.want) {
			t.Errorf("Split(%d, %v) = %v, want %v", tc.total, tc.parts, got, tc.want)
		}
	}
}

// TestSplitProperties: for any total and weights, the shares add up to the
// total exactly, each is within one unit of its exact share, a heavier
// part never gets less than a lighter one, and the order the parts come in
// does not change who gets what.
func TestSplitProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 2000 {
		n := 1 + rng.IntN(12)
		parts := make([]months.Part, n)
		var wsum int64
		for i := range parts {
			parts[i] = months.Part{Key: fmt.Sprintf("k%02d", rng.IntN(100)*100+i), Weight: 1 + rng.Int64N(10)}
			wsum += parts[i].Weight
		}
		total := rng.Int64N(1_000_000)
		got := months.Split(total, parts)
		var sum int64
		for i, s := range got {
			sum += s
			lo := total * parts[i].Weight / wsum
			if s < lo || s > lo+1 {
				t.Fatalf("run %d: part %v got %d, exact share floor %d", run, parts[i], s, lo)
			}
			for j := range got {
				if parts[i].Weight > parts[j].Weight && got[i] < got[j] {
					t.Fatalf("run %d: heavier %v got %d < lighter %v %d", run, parts[i], got[i], parts[j], got[j])
				}
			}
		}
		if sum != total {
			t.Fatalf("run %d: shares %v sum to %d, want %d", run, got, sum, total)
		}
		shuffled := slices.Clone(parts)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again := months.Split(total, shuffled)
		byKey := map[string]int64{}
		for i, p := range shuffled {
			byKey[p.Key] = again[i]
		}
		for i, p := range parts {
			if byKey[p.Key] != got[i] {
				t.Fatalf("run %d: order changed %s's share: %d vs %d", run, p.Key, got[i], byKey[p.Key])
			}
		}
	}
}

// TestSplitLargeAmounts: no overflow with large totals and weights.
func TestSplitLargeAmounts(t *testing.T) {
	got := months.Split(9_000_000_000_000_000_000, []months.Part{{"a", 1 << 40}, {"b", 1 << 40}, {"c", 1}})
	if got[0]+got[1]+got[2] != 9_000_000_000_000_000_000 || got[0] < got[2] {
		t.Fatalf("large split = %v", got)
	}
}
