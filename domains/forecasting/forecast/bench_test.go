package forecast

import (
	"fmt"
	"testing"
)

// BenchmarkFitForecast fits each model on 1,000 series of 91 days and
// forecasts 14 days for each series; one op is the whole panel. cpu-ms/op
// is the process CPU time (user + system), steadier than wall time on a
// busy machine.
func BenchmarkFitForecast(b *testing.B) {
	panel := promoPanel(42, 1000, 91)
	choice := map[string]string{}
	for i, s := range panel {
		choice[s.ID] = allModels()[i%4].Name()
	}
	models := append(allModels(), PerSeries{Models: allModels(), Choice: choice})
	for _, m := range models {
		b.Run(m.Name(), func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				fitted, err := m.Fit(panel)
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range fitted {
					if _, err := f.Forecast(14, Covariates{}); err != nil {
						b.Fatal(err)
					}
				}
			}
			reportCPU(b, cpu0)
		})
	}
}

// BenchmarkBacktest runs the four models over 3 origins x 14 days on 1,000
// series of 91 days, then builds the leaderboard.
func BenchmarkBacktest(b *testing.B) {
	panel := promoPanel(42, 1000, 91)
	meta := map[string]SeriesMeta{}
	for i, s := range panel {
		meta[s.ID] = SeriesMeta{Category: fmt.Sprint("c", i%5), Region: fmt.Sprint("r", i%3)}
	}
	origins, err := RollingOrigins(panel, 3, 14, 14)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: allModels()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := BuildLeaderboard(res, meta, ""); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
}

func reportCPU(b *testing.B, cpu0 float64) {
	if cpu0 >= 0 {
		b.ReportMetric((cpuTime()-cpu0)*1000/float64(b.N), "cpu-ms/op")
	}
}
