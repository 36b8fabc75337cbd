package months

import (
	"math/big"
	"sort"
)

// Part is one claimant of a split: a key that orders ties and a weight.
type Part struct {
	Key    string
	Weight int64
}

// Split divides total minor units over parts in proportion to their
// weights by the largest-remainder method: every part gets the floor of
// its exact share, and the units left over go one each to the parts with
// the largest fractional remainders, ties broken by key (ascending). The
// shares are whole units and add up to total exactly. Parts with no weight
// get nothing; with no weight at all, everything is returned undivided in
// the first result of -1 (callers check the weight sum first).
func Split(total int64, parts []Part) []int64 {
	shares := make([]int64, len(parts))
	var sum big.Int
	for _, p := range parts {
		if p.Weight > 0 {
			sum.Add(&sum, big.NewInt(p.Weight))
		}
	}
	if sum.Sign() == 0 || total <= 0 {
		return shares
	}
	type rem struct {
		i   int
		rem big.Int
	}
	rems := make([]rem, 0, len(parts))
	var given int64
	t := big.NewInt(total)
	for i, p := range parts {
		if p.Weight <= 0 {
			continue
		}
		var q, r, prod big.Int
		prod.Mul(t, big.NewInt(p.Weight))
		q.QuoRem(&prod, &sum, &r)
		shares[i] = q.Int64()
		given += shares[i]
		rems = append(rems, rem{i: i, rem: r})
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if c := rems[a].rem.Cmp(&rems[b].rem); c != 0 {
			return c > 0
		}
		return parts[rems[a].i].Key < parts[rems[b].i].Key
	})
	for k := 0; given < total; k++ {
		shares[rems[k%len(rems)].i]++
		given++
	}
	return shares
}
