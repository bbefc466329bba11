package swebench

import (
	"math/big"
	"math/bits"
)

// PyRandom reproduces CPython's random.Random for the operations the seed's
// instance shuffle uses: integer seeding, getrandbits, _randbelow and
// shuffle. It is a from-scratch implementation of the published MT19937
// algorithm (Matsumoto and Nishimura) with CPython's seeding convention, so
// PyRandom(seed).Shuffle gives exactly the order of
// random.Random(seed).shuffle in CPython 3.11. Go's math/rand and
// math/rand/v2 cannot reproduce that order.
type PyRandom struct {
	mt  [mtN]uint32
	idx int
}

const (
	mtN         = 624
	mtM         = 397
	mtMatrixA   = 0x9908b0df
	mtUpperMask = 0x80000000
	mtLowerMask = 0x7fffffff
)

// NewPyRandom returns the generator random.Random(seed) would be. As in
// CPython, a negative seed is replaced by its absolute value.
func NewPyRandom(seed int64) *PyRandom {
	return NewPyRandomBig(big.NewInt(seed))
}

// NewPyRandomBig is NewPyRandom for integers of any size (CPython accepts
// arbitrary ints as seeds). nil is treated as 0.
func NewPyRandomBig(seed *big.Int) *PyRandom {
	n := new(big.Int)
	if seed != nil {
		n.Abs(seed)
	}
	// CPython splits abs(seed) into 32-bit words, least significant first;
	// zero becomes the single word 0.
	var key []uint32
	mask := big.NewInt(0xffffffff)
	for n.Sign() > 0 {
		w := new(big.Int).And(n, mask)
		key = append(key, uint32(w.Uint64()))
		n.Rsh(n, 32)
	}
	if len(key) == 0 {
		key = []uint32{0}
	}
	r := &PyRandom{}
	r.initByArray(key)
	return r
}

// initGenrand seeds the state from one 32-bit value.
func (r *PyRandom) initGenrand(s uint32) {
	r.mt[0] = s
	for i := 1; i < mtN; i++ {
		prev := r.mt[i-1]
		r.mt[i] = 1812433253*(prev^(prev>>30)) + uint32(i)
	}
	r.idx = mtN
}

// initByArray seeds the state from a key of 32-bit words.
func (r *PyRandom) initByArray(key []uint32) {
	r.initGenrand(19650218)
	i, j := 1, 0
	k := max(mtN, len(key))
	for ; k > 0; k-- {
		prev := r.mt[i-1]
		r.mt[i] = (r.mt[i] ^ ((prev ^ (prev >> 30)) * 1664525)) + key[j] + uint32(j)
		i++
		j++
		if i >= mtN {
			r.mt[0] = r.mt[mtN-1]
			i = 1
		}
		if j >= len(key) {
			j = 0
		}
	}
	for k = mtN - 1; k > 0; k-- {
		prev := r.mt[i-1]
		r.mt[i] = (r.mt[i] ^ ((prev ^ (prev >> 30)) * 1566083941)) - uint32(i)
		i++
		if i >= mtN {
			r.mt[0] = r.mt[mtN-1]
			i = 1
		}
	}
	r.mt[0] = 0x80000000 // the most significant bit is 1: a non-zero initial state
}

// Uint32 returns the next 32-bit output (CPython's genrand_uint32).
func (r *PyRandom) Uint32() uint32 {
	if r.idx >= mtN {
		r.twist()
	}
	y := r.mt[r.idx]
	r.idx++
	y ^= y >> 11
	y ^= (y << 7) & 0x9d2c5680
	y ^= (y << 15) & 0xefc60000
	y ^= y >> 18
	return y
}

// twist regenerates the whole state block.
func (r *PyRandom) twist() {
	for kk := 0; kk < mtN; kk++ {
		y := (r.mt[kk] & mtUpperMask) | (r.mt[(kk+1)%mtN] & mtLowerMask)
		v := r.mt[(kk+mtM)%mtN] ^ (y >> 1)
		if y&1 != 0 {
			v ^= mtMatrixA
		}
		r.mt[kk] = v
	}
	r.idx = 0
}

// GetRandBits returns random.getrandbits(k) for 0 <= k <= 64. Like CPython it
// draws one 32-bit word per started 32 bits, least significant word first,
// and shifts the last word right to keep only its top bits.
func (r *PyRandom) GetRandBits(k int) uint64 {
	if k < 0 || k > 64 {
		panic("swebench: GetRandBits supports 0 <= k <= 64")
	}
	if k == 0 {
		return 0
	}
	if k <= 32 {
		return uint64(r.Uint32() >> (32 - k))
	}
	lo := uint64(r.Uint32())
	hi := uint64(r.Uint32() >> (64 - k))
	return hi<<32 | lo
}

// RandBelow returns random._randbelow(n) for n > 0: getrandbits of n's bit
// length, retried until the value is below n (rejection sampling).
func (r *PyRandom) RandBelow(n uint64) uint64 {
	if n == 0 {
		return 0
	}
	k := bits.Len64(n)
	v := r.GetRandBits(k)
	for v >= n {
		v = r.GetRandBits(k)
	}
	return v
}

// Shuffle permutes n elements exactly as random.shuffle does in CPython 3.11:
// for i from n-1 down to 1, swap i with _randbelow(i+1).
func (r *PyRandom) Shuffle(n int, swap func(i, j int)) {
	for i := n - 1; i >= 1; i-- {
		j := int(r.RandBelow(uint64(i + 1)))
		swap(i, j)
	}
}
