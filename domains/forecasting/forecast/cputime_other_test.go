//go:build !unix

package forecast

// cpuTime is unavailable here: benchmarks report wall time only.
func cpuTime() float64 { return -1 }
