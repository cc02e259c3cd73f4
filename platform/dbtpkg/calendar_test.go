package dbtpkg

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/gen"
)

// TestDimDatePromoCalendar runs mesh_core's dim_date on DuckDB and checks
// that its is_promo_day is the shared promotion calendar the producers use,
// gen.IsPromoDay, on every day of a year (17 cycles of 21 days), so that a
// forecaster reading the calendar from the lakehouse sees the promotions
// the generators planned.
func TestDimDatePromoCalendar(t *testing.T) {
	p := load(t, nil)
	model, ok := p.Models["dim_date"]
	require.True(t, ok, "mesh_core has a dim_date model")
	q, err := p.Compile(model, dbt.CompileContext{Resolver: resolver{}, This: "shop.dim_date"})
	require.NoError(t, err)
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer db.Close()
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := from.AddDate(1, 0, 0)
	rows, err := db.Query("SELECT date_id, is_promo_day FROM ("+q+") WHERE date_id >= ? AND date_id < ? ORDER BY date_id",
		from, to)
	require.NoError(t, err, q)
	defer rows.Close()
	var days, promos int
	want := from
	for rows.Next() {
		var d time.Time
		var promo bool
		require.NoError(t, rows.Scan(&d, &promo))
		require.Equal(t, want, d.UTC(), "one row per day")
		assert.Equal(t, gen.IsPromoDay(d), promo, "is_promo_day of %s", d.Format(time.DateOnly))
		// Any time of the day is on the same calendar day.
		assert.Equal(t, gen.IsPromoDay(d.Add(23*time.Hour+59*time.Minute)), promo, "late on %s", d.Format(time.DateOnly))
		if promo {
			promos++
		}
		days++
		want = want.AddDate(0, 0, 1)
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, 365, days)
	// 365 days hold 17 full cycles (34 promotion days) and 8 more days.
	assert.InDelta(t, 365*gen.PromoLengthDays/gen.PromoCycleDays, promos, gen.PromoLengthDays)
}
