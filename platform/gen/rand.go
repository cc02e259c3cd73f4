package gen

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/google/uuid"
)

// DefaultSeed is the seed a generator uses when none is given: the FNV-1a 64
// hash of "<domain>/<event>", so that the same flags produce byte-identical
// events on every machine.
func DefaultSeed(domain, event string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(domain))
	h.Write([]byte{'/'})
	h.Write([]byte(event))
	return h.Sum64()
}

// Rand is a deterministic source of random values: a PCG generator
// (math/rand/v2) seeded from (seed, stream). The same seed and stream always
// give the same sequence; a different stream (a run number) gives an
// unrelated one, so run 2 never re-emits run 1's ids. A Rand is not safe for
// concurrent use.
type Rand struct {
	r    *rand.Rand
	zipf map[zipfKey][]float64 // cumulative distributions, by (n, s)
}

type zipfKey struct {
	n int
	s float64
}

// NewRand returns a Rand for the given seed and stream.
func NewRand(seed, stream uint64) *Rand {
	// Decorrelate neighbouring seeds and streams before they become PCG state.
	hi := splitmix64(seed)
	lo := splitmix64(hi ^ splitmix64(stream^0x6a09e667f3bcc909))
	return &Rand{r: rand.New(rand.NewPCG(hi, lo))}
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Uint64 returns a uniformly distributed uint64.
func (r *Rand) Uint64() uint64 { return r.r.Uint64() }

// Float64 returns a uniformly distributed number in [0, 1).
func (r *Rand) Float64() float64 { return r.r.Float64() }

// IntN returns a uniformly distributed int in [0, n). It panics if n <= 0.
func (r *Rand) IntN(n int) int { return r.r.IntN(n) }

// Normal returns a normally distributed number with the given mean and
// standard deviation.
func (r *Rand) Normal(mean, sd float64) float64 { return mean + sd*r.r.NormFloat64() }

// Bool returns true with probability p.
func (r *Rand) Bool(p float64) bool { return r.r.Float64() < p }

// UUID returns a version 4 (random) UUID drawn from the stream.
func (r *Rand) UUID() uuid.UUID {
	var u uuid.UUID
	a, b := r.r.Uint64(), r.r.Uint64()
	for i := range 8 {
		u[i] = byte(a >> (56 - 8*i))
		u[8+i] = byte(b >> (56 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u
}

// Poisson returns a Poisson distributed count with mean lambda (0 when
// lambda <= 0): Knuth's method below 10, Hörmann's PTRS rejection above.
func (r *Rand) Poisson(lambda float64) int {
	switch {
	case lambda <= 0 || math.IsNaN(lambda):
		return 0
	case lambda < 10:
		l, k, p := math.Exp(-lambda), 0, 1.0
		for {
			p *= r.r.Float64()
			if p <= l {
				return k
			}
			k++
		}
	}
	// W. Hörmann, "The transformed rejection method for generating Poisson
	// random variables", 1993 (as in NumPy).
	slam, loglam := math.Sqrt(lambda), math.Log(lambda)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.r.Float64() - 0.5
		v := r.r.Float64()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lambda + 0.43)
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -lambda+k*loglam-lg {
			return int(k)
		}
	}
}

// Zipf returns an item in [0, n) with probability proportional to 1/(i+1)^s:
// item 0 is the most popular, with a long tail. It draws one Float64 per call
// (inverse CDF; the distribution of each (n, s) is computed once and cached
// in the Rand). It panics if n <= 0 or s <= 0.
func (r *Rand) Zipf(n int, s float64) int {
	if n <= 0 || !(s > 0) {
		panic("gen: Zipf needs n > 0 and s > 0")
	}
	k := zipfKey{n, s}
	cdf, ok := r.zipf[k]
	if !ok {
		cdf = make([]float64, n)
		sum := 0.0
		for i := range n {
			sum += math.Pow(float64(i+1), -s)
			cdf[i] = sum
		}
		for i := range cdf {
			cdf[i] /= sum
		}
		if r.zipf == nil {
			r.zipf = map[zipfKey][]float64{}
		}
		r.zipf[k] = cdf
	}
	u := r.r.Float64()
	i := sort.SearchFloat64s(cdf, u)
	if i < len(cdf) && cdf[i] == u { // SearchFloat64s finds the first cdf >= u; want cdf > u
		i++
	}
	return min(i, n-1)
}
