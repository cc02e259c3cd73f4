package forecast_test

import (
	"testing"

	"github.com/meshterious/warehouse/domains/forecasting/forecast"
	"github.com/meshterious/warehouse/domains/forecasting/forecast/forecasttest"
)

func TestConformance(t *testing.T) {
	for _, m := range []forecast.Model{
		forecast.SeasonalNaive{},
		forecast.ETS{},
		forecast.TSB{},
		forecast.TSB{AlphaProb: 0.2, AlphaSize: 0.1},
		forecast.Ridge{},
		forecast.Ridge{NoTrend: true, NoDayOfMonth: true, Lags: []int{7}, Windows: []int{7}},
		forecast.PerSeries{
			Models: []forecast.Model{forecast.SeasonalNaive{}, forecast.ETS{}, forecast.Ridge{}},
			Choice: map[string]string{"s000": "ets", "s001": "ridge", "0": "ridge"},
		},
	} {
		t.Run(m.Name(), func(t *testing.T) { forecasttest.Run(t, m) })
	}
}
