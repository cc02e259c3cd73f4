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
