package metrics

import (
	"math/big"
	"sort"
)

// ratio is a/b, or 0 when b is 0 ("every ratio is 0 when its denominator
// is 0", §7.4).
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// Median is Python's statistics.median of xs: the middle value, or the mean
// of the two middle values for an even count; 0 for none (the seed's
// default when no instance completed).
func Median(xs []int) float64 {
	n := len(xs)
	if n == 0 {
		return 0
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	if n%2 == 1 {
		return float64(s[n/2])
	}
	return float64(s[n/2-1]+s[n/2]) / 2
}

// SampleStd is Python's statistics.stdev of xs (denominator n−1), or 0 for
// fewer than two values (§7.4). Like statistics.stdev it is the correctly
// rounded square root of the exact variance: integer sums, then one
// high-precision square root.
func SampleStd(xs []int) float64 {
	n := int64(len(xs))
	if n < 2 {
		return 0
	}
	sum, sumSq := new(big.Int), new(big.Int)
	for _, x := range xs {
		bx := big.NewInt(int64(x))
		sum.Add(sum, bx)
		sumSq.Add(sumSq, bx.Mul(bx, bx))
	}
	// variance = (n·Σx² − (Σx)²) / (n·(n−1))
	num := new(big.Int).Mul(big.NewInt(n), sumSq)
	num.Sub(num, new(big.Int).Mul(sum, sum))
	den := big.NewInt(n * (n - 1))
	const prec = 256
	v := new(big.Float).SetPrec(prec).SetInt(num)
	v.Quo(v, new(big.Float).SetPrec(prec).SetInt(den))
	f, _ := v.Sqrt(v).Float64()
	return f
}

// minMax returns the smallest and largest of xs, or 0, 0 for none.
func minMax(xs []int) (int, int) {
	if len(xs) == 0 {
		return 0, 0
	}
	lo, hi := xs[0], xs[0]
	for _, x := range xs[1:] {
		lo, hi = min(lo, x), max(hi, x)
	}
	return lo, hi
}
