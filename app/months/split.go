package months

import (
	"math"
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
	if shares, ok := splitSmall(total, parts); ok {
		return shares
	}
	return splitBig(total, parts)
}

// splitBig is Split in arbitrary precision.
func splitBig(total int64, parts []Part) []int64 {
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

// splitSmall is Split in int64 arithmetic, when no product of total and a
// weight (nor the weights' sum) can overflow: the case of every real
// budget. ok is false otherwise.
func splitSmall(total int64, parts []Part) (shares []int64, ok bool) {
	const limit = math.MaxInt32
	var sum int64
	for _, p := range parts {
		if p.Weight > 0 {
			sum += p.Weight
		}
		if p.Weight > limit || sum > limit {
			return nil, false
		}
	}
	if total > limit {
		return nil, false
	}
	shares = make([]int64, len(parts))
	if sum == 0 || total <= 0 {
		return shares, true
	}
	type rem struct {
		i   int
		rem int64
	}
	var small [16]rem
	rems := small[:0]
	var given int64
	for i, p := range parts {
		if p.Weight <= 0 {
			continue
		}
		prod := total * p.Weight
		shares[i] = prod / sum
		given += shares[i]
		rems = append(rems, rem{i: i, rem: prod % sum})
	}
	if given == total {
		return shares, true
	}
	sort.SliceStable(rems, func(a, b int) bool {
		if rems[a].rem != rems[b].rem {
			return rems[a].rem > rems[b].rem
		}
		return parts[rems[a].i].Key < parts[rems[b].i].Key
	})
	for k := 0; given < total; k++ {
		shares[rems[k%len(rems)].i]++
		given++
	}
	return shares, true
}
