package forecast

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// monday is a Monday: day 0 of the synthetic series.
var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// weekly is a weekly pattern, Monday first.
var weekly = []float64{10, 12, 14, 13, 20, 30, 25}

func repeatPattern(p []float64, n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = p[i%len(p)]
	}
	return y
}

func linear(a, b float64, n int) []float64 {
	y := make([]float64, n)
	for i := range y {
		y[i] = a + b*float64(i)
	}
	return y
}

// noisyPanel returns count series of n days: level + weekly pattern +
// N(0, sd²) noise, from a fixed seed.
func noisyPanel(seed uint64, count, n int, level, sd float64) []Series {
	r := rand.New(rand.NewPCG(seed, 7))
	panel := make([]Series, count)
	for i := range panel {
		y := make([]float64, n)
		for d := range y {
			y[d] = level + weekly[d%7] + sd*r.NormFloat64()
		}
		panel[i] = Series{ID: fmt.Sprintf("s%04d", i), Start: monday, Values: y}
	}
	return panel
}

// allModels are the four models with their defaults.
func allModels() []Model {
	return []Model{SeasonalNaive{}, ETS{}, TSB{}, Ridge{}}
}
