package gen_test

import (
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
)

func TestDefaultSeed(t *testing.T) {
	assert.Equal(t, gen.DefaultSeed("orders", "orders"), gen.DefaultSeed("orders", "orders"))
	assert.NotEqual(t, gen.DefaultSeed("orders", "orders"), gen.DefaultSeed("orders", "returns"))
	assert.NotEqual(t, gen.DefaultSeed("ab", "c"), gen.DefaultSeed("a", "bc"), "domain and event are separated")
	// FNV-1a 64 of "orders/orders", a fixed value: changing it changes every generated event.
	assert.Equal(t, uint64(0xdf54e6532d497d28), gen.DefaultSeed("orders", "orders"))
}

func TestRandDeterministic(t *testing.T) {
	draw := func(seed, stream uint64) []any {
		r := gen.NewRand(seed, stream)
		var out []any
		for range 200 {
			out = append(out, r.UUID(), r.Float64(), r.IntN(1000), r.Normal(10, 2), r.Poisson(3.5),
				r.Poisson(250), r.Bool(0.3), r.Zipf(1000, 1.1), r.Uint64())
		}
		return out
	}
	assert.Equal(t, draw(42, 1), draw(42, 1), "same seed and stream, same sequence")
	assert.NotEqual(t, draw(42, 1), draw(42, 2))
	assert.NotEqual(t, draw(42, 1), draw(43, 1))

	// Golden values: the generators' output must not change with the Go
	// version or the machine (math/rand/v2's PCG is specified exactly).
	r := gen.NewRand(gen.DefaultSeed("orders", "orders"), 1)
	assert.Equal(t, "fff1165a-60f2-434a-be9f-dc4657c1361c", r.UUID().String())
	assert.Equal(t, 171, r.IntN(1000))
	assert.Equal(t, 4, r.Zipf(100, 1.1))
}

func TestUUIDStreamsDisjoint(t *testing.T) {
	const n = 100_000
	seen := make(map[uuid.UUID]struct{}, 2*n)
	seed := gen.DefaultSeed("orders", "orders")
	for _, stream := range []uint64{1, 2} {
		r := gen.NewRand(seed, stream)
		for range n {
			u := r.UUID()
			require.Equal(t, uuid.Version(4), u.Version())
			require.Equal(t, uuid.RFC4122, u.Variant())
			_, dup := seen[u]
			require.False(t, dup, "stream %d repeated %s", stream, u)
			seen[u] = struct{}{}
		}
	}
	assert.Len(t, seen, 2*n)
}

func TestDistributions(t *testing.T) {
	r := gen.NewRand(7, 0)
	const n = 200_000
	mean := func(f func() float64) (m, sd float64) {
		var s, s2 float64
		for range n {
			x := f()
			s += x
			s2 += x * x
		}
		m = s / n
		return m, math.Sqrt(s2/n - m*m)
	}
	tests := []struct {
		name          string
		draw          func() float64
		wantM, wantSD float64
	}{
		{"normal", func() float64 { return r.Normal(50, 5) }, 50, 5},
		{"poisson small", func() float64 { return float64(r.Poisson(3)) }, 3, math.Sqrt(3)},
		{"poisson large", func() float64 { return float64(r.Poisson(400)) }, 400, 20},
		{"uniform", r.Float64, 0.5, math.Sqrt(1.0 / 12)},
		{"bool", func() float64 {
			if r.Bool(0.2) {
				return 1
			}
			return 0
		}, 0.2, 0.4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, sd := mean(tt.draw)
			assert.InDelta(t, tt.wantM, m, 0.01*tt.wantM+0.01)
			assert.InDelta(t, tt.wantSD, sd, 0.02*tt.wantSD+0.01)
		})
	}
	assert.Equal(t, 0, r.Poisson(0))
	assert.Equal(t, 0, r.Poisson(-1))
}

func TestZipf(t *testing.T) {
	r := gen.NewRand(1, 1)
	const n, draws = 1000, 200_000
	counts := make([]int, n)
	for range draws {
		i := r.Zipf(n, 1.1)
		require.True(t, i >= 0 && i < n)
		counts[i]++
	}
	top := 0
	for i := range n / 10 {
		top += counts[i]
	}
	assert.Greater(t, float64(top)/draws, 0.40, "top 10%% of items get > 40%% of draws")
	assert.Greater(t, counts[0], counts[1])
	assert.Greater(t, counts[1], counts[10])
	assert.Greater(t, counts[10], counts[500])
	// Expected share of item 0 for s = 1.1, n = 1000: 1/H where H = sum 1/k^1.1.
	h := 0.0
	for k := 1; k <= n; k++ {
		h += math.Pow(float64(k), -1.1)
	}
	assert.InDelta(t, 1/h, float64(counts[0])/draws, 0.005)
	assert.Panics(t, func() { r.Zipf(0, 1.1) })
}

func TestRegions(t *testing.T) {
	assert.Equal(t, []string{"us-east", "us-west", "eu-central", "ap-southeast"}, gen.RegionNames())
	total := 0.0
	for _, g := range gen.Regions() {
		t.Run(g.Name, func(t *testing.T) {
			assert.Less(t, g.MinLat, g.MaxLat)
			assert.Less(t, g.MinLon, g.MaxLon)
			assert.True(t, g.MinLat >= -90 && g.MaxLat <= 90 && g.MinLon >= -180 && g.MaxLon <= 180)
			loc, err := g.Location()
			require.NoError(t, err)
			assert.Equal(t, g.TimeZone, loc.String())
			r := gen.NewRand(gen.DefaultSeed("test", g.Name), 0)
			for range 10_000 {
				lat, lon := g.Point(r)
				require.True(t, g.Contains(lat, lon), "%v,%v outside %s", lat, lon, g.Name)
			}
		})
		total += g.Weight
	}
	assert.InDelta(t, 1.0, total, 1e-9)

	// Landmarks: each city is in its region and in no other.
	cities := []struct {
		name, region string
		lat, lon     float64
	}{
		{"New York", "us-east", 40.71, -74.01},
		{"Atlanta", "us-east", 33.75, -84.39 + 0.5},
		{"Miami", "us-east", 25.76, -80.19},
		{"Los Angeles", "us-west", 34.05, -118.24},
		{"Seattle", "us-west", 47.61, -122.33},
		{"Berlin", "eu-central", 52.52, 13.40},
		{"Munich", "eu-central", 48.14, 11.58},
		{"Singapore", "ap-southeast", 1.35, 103.82},
		{"Manila", "ap-southeast", 14.60, 120.98},
		{"Jakarta", "ap-southeast", -6.21, 106.85},
	}
	for _, c := range cities {
		for _, g := range gen.Regions() {
			assert.Equal(t, c.region == g.Name, g.Contains(c.lat, c.lon), "%s in %s", c.name, g.Name)
		}
	}

	g, err := gen.LookupRegion("eu-central")
	require.NoError(t, err)
	assert.Equal(t, "Europe/Berlin", g.TimeZone)
	_, err = gen.LookupRegion("mars")
	require.Error(t, err)
	assert.ErrorIs(t, err, gen.ErrUnknownRegion)
	assert.Contains(t, err.Error(), `"mars" (valid: us-east, us-west, eu-central, ap-southeast)`)

	// PickRegion follows the weights.
	r := gen.NewRand(3, 0)
	counts := map[string]int{}
	for range 100_000 {
		counts[gen.PickRegion(r, gen.Regions()).Name]++
	}
	for _, g := range gen.Regions() {
		assert.InDelta(t, g.Weight, float64(counts[g.Name])/100_000, 0.01, g.Name)
	}
}

func TestVocabulary(t *testing.T) {
	channels := gen.MustVocabulary("channel", "web", 5, "mobile", 3, "store", 1.5, "marketplace", 0.5)
	assert.True(t, channels.Contains("web"))
	assert.False(t, channels.Contains("fax"))
	assert.InDelta(t, 0.5, channels.Probability("web"), 1e-12)

	r := gen.NewRand(9, 0)
	const n = 100_000
	counts := map[string]int{}
	for range n {
		counts[channels.Pick(r)]++
	}
	for _, v := range channels.Values {
		assert.InDelta(t, channels.Probability(v), float64(counts[v])/n, 0.01, v)
	}

	// A literal vocabulary works too.
	lit := gen.Vocabulary{Name: "x", Values: []string{"a", "b"}, Weights: []float64{1, 3}}
	counts = map[string]int{}
	for range n {
		counts[lit.Pick(r)]++
	}
	assert.InDelta(t, 0.75, float64(counts["b"])/n, 0.01)

	typed, err := gen.NewWeightedVocabulary("channel", gen.Weighted{Value: "web", Weight: 5}, gen.Weighted{Value: "mobile", Weight: 3},
		gen.Weighted{Value: "store", Weight: 1.5}, gen.Weighted{Value: "marketplace", Weight: 0.5})
	require.NoError(t, err)
	assert.Equal(t, channels.Values, typed.Values)
	assert.Equal(t, channels.Weights, typed.Weights)

	tests := []struct {
		name        string
		pairs       []any
		errContains string
	}{
		{"empty", nil, "has no values"},
		{"odd arguments", []any{"a", 1, "b"}, "want value, weight pairs, got 3 arguments"},
		{"value not a string", []any{1, 1}, "argument 0 must be a string value, got int"},
		{"weight not a number", []any{"a", "1"}, `weight of "a" must be a float64 or int, got string`},
		{"zero weight", []any{"a", 0}, `weight of "a" must be a finite number > 0`},
		{"negative weight", []any{"a", -1.0}, "must be a finite number > 0"},
		{"NaN weight", []any{"a", math.NaN()}, "must be a finite number > 0"},
		{"infinite weight", []any{"a", math.Inf(1)}, "must be a finite number > 0"},
		{"duplicate", []any{"a", 1, "a", 2}, `lists "a" twice`},
		{"empty value", []any{"", 1}, "empty value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gen.NewVocabulary("v", tt.pairs...)
			require.Error(t, err)
			assert.ErrorIs(t, err, gen.ErrInvalidVocabulary)
			assert.Contains(t, err.Error(), tt.errContains)
		})
	}
	assert.Panics(t, func() { gen.MustVocabulary("v") })
}

func TestProfiles(t *testing.T) {
	sum := 0.0
	for h := range 24 {
		p := gen.DailyProfile(h)
		assert.Greater(t, p, 0.0)
		sum += p
	}
	assert.InDelta(t, 24, sum, 1e-9, "mean 1 over a day")
	assert.Less(t, gen.DailyProfile(4), gen.DailyProfile(12), "night is quieter than noon")
	assert.Equal(t, gen.DailyProfile(1), gen.DailyProfile(25))
	assert.Equal(t, gen.DailyProfile(23), gen.DailyProfile(-1))

	sum = 0
	for d := time.Sunday; d <= time.Saturday; d++ {
		sum += gen.WeeklyProfile(d)
	}
	assert.InDelta(t, 7, sum, 1e-9, "mean 1 over a week")
	assert.Greater(t, gen.WeeklyProfile(time.Monday), gen.WeeklyProfile(time.Sunday))
}

func BenchmarkUUID(b *testing.B) {
	r := gen.NewRand(1, 1)
	for b.Loop() {
		_ = r.UUID()
	}
}

func BenchmarkZipf(b *testing.B) {
	r := gen.NewRand(1, 1)
	for b.Loop() {
		_ = r.Zipf(10_000, 1.1)
	}
}
