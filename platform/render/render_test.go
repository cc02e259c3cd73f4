package render

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormats(t *testing.T) {
	cols := []string{"region", "orders", "day"}
	rows := [][]any{{"eu-central", int64(12), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, {"us-east", int64(7), nil}}
	tests := []struct {
		format, want, errContains string
	}{
		{format: "table", want: "region      orders  day\n----------  ------  ----------\neu-central      12  2026-01-02\nus-east          7  NULL\n(2 rows)\n"},
		{format: "csv", want: "region,orders,day\neu-central,12,2026-01-02\nus-east,7,\n"},
		{format: "json", want: "{\"day\":\"2026-01-02T00:00:00Z\",\"orders\":12,\"region\":\"eu-central\"}\n{\"day\":null,\"orders\":7,\"region\":\"us-east\"}\n"},
		{format: "xml", errContains: `--format "xml"`},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var b bytes.Buffer
			err := Write(&b, tt.format, cols, rows)
			if tt.errContains != "" {
				require.ErrorContains(t, err, tt.errContains)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, b.String())
		})
	}
}

func TestCellFloats(t *testing.T) {
	for in, want := range map[float64]string{138362.45: "138362.45", 0.1 + 0.2: "0.3", 52.520008123: "52.520008", 3: "3", -0.5: "-0.5"} {
		assert.Equal(t, want, Cell(in), "%v", in)
	}
}

func TestSpark(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	cols := []string{"region", "day", "orders"}
	rows := [][]any{
		{"eu-central", day(1), int64(0)}, {"eu-central", day(2), int64(7)}, {"eu-central", day(3), int64(14)},
		{"us-east", day(1), int64(14)}, {"us-east", day(2), nil}, {"us-east", day(3), float64(2)},
	}
	var b bytes.Buffer
	require.NoError(t, Write(&b, "spark", cols, rows))
	assert.Equal(t, "region      orders by day, 2026-01-01 to 2026-01-03 (scale 0 to 14)\n"+
		"eu-central  ▁▅█  total 21, min 0, max 14\n"+
		"us-east     █ ▂  total 16, min 2, max 14\n"+
		"(2 series, 6 points)\n", b.String())
}

func TestSparkRejectsWhatItCannotDraw(t *testing.T) {
	for name, tt := range map[string]struct {
		cols []string
		rows [][]any
		err  string
	}{
		"one column":   {[]string{"n"}, [][]any{{int64(1)}}, "at least two columns"},
		"not a number": {[]string{"region", "orders"}, [][]any{{"eu", int64(1)}, {"us", "many"}}, `row 2, column "orders": "many" (string) is not a number`},
		"negative":     {[]string{"region", "delta"}, [][]any{{"eu", int64(-3)}}, `row 1, column "delta": -3 is negative`},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, Spark(&bytes.Buffer{}, tt.cols, tt.rows), tt.err)
		})
	}
}
