package forecast

import (
	"testing"
)

// BenchmarkFitForecast fits each model on 1,000 series of 91 days and
// forecasts 14 days for each series; one op is the whole panel.
func BenchmarkFitForecast(b *testing.B) {
	panel := promoPanel(42, 1000, 91)
	for _, m := range append(allModels(), PerSeries{Models: allModels()}) {
		b.Run(m.Name(), func(b *testing.B) {
			b.ReportAllocs()
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
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/series")
		})
	}
}

// BenchmarkBacktest runs the four models over 3 origins x 14 days on 1,000
// series of 91 days, then builds the leaderboard.
func BenchmarkBacktest(b *testing.B) {
	panel := promoPanel(42, 1000, 91)
	origins, err := RollingOrigins(panel, 3, 14, 14)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		res, err := Backtest(panel, BacktestConfig{Origins: origins, Models: allModels()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := BuildLeaderboard(res, nil, ""); err != nil {
			b.Fatal(err)
		}
	}
}
