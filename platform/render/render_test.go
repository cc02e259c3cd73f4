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
		{format: "json", want: "{\"region\":\"eu-central\",\"orders\":12,\"day\":\"2026-01-02T00:00:00Z\"}\n{\"region\":\"us-east\",\"orders\":7,\"day\":null}\n"},
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

// text is a Formatted value, as query.Value is.
type text struct {
	s, json string
	number  bool
}

func (v text) String() string               { return v.s }
func (v text) MarshalJSON() ([]byte, error) { return []byte(v.json), nil }
func (v text) IsNumber() bool               { return v.number }

// TestFormatted prints values that carry their own text and JSON: as they
// are, numbers right-aligned, NULL as NULL, empty or null.
func TestFormatted(t *testing.T) {
	cols := []string{"id", "amount", "tags", "note <&>"}
	rows := [][]any{
		{text{s: "6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f", json: `"6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f"`}, text{s: "1.50", json: "1.50", number: true},
			text{s: "{'a': 1, 'b': x y}", json: `{"a":1,"b":"x y"}`}, text{s: `say "hi", <b>`, json: `"say \"hi\", <b>"`}},
		{nil, text{s: "-12345678901234567890", json: "-12345678901234567890", number: true}, nil, nil},
	}
	for format, want := range map[string]string{
		"table": "id                                                   amount  tags                note <&>\n" +
			"------------------------------------  ---------------------  ------------------  -------------\n" +
			"6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f                   1.50  {'a': 1, 'b': x y}  say \"hi\", <b>\n" +
			"NULL                                  -12345678901234567890  NULL                NULL\n" +
			"(2 rows)\n",
		"csv": "id,amount,tags,note <&>\n" +
			"6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f,1.50,\"{'a': 1, 'b': x y}\",\"say \"\"hi\"\", <b>\"\n" +
			",-12345678901234567890,,\n",
		"json": `{"id":"6f1b9c1e-6c3a-4f0b-9d1e-0a1b2c3d4e5f","amount":1.50,"tags":{"a":1,"b":"x y"},"note <&>":"say \"hi\", <b>"}` + "\n" +
			`{"id":null,"amount":-12345678901234567890,"tags":null,"note <&>":null}` + "\n",
	} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, Write(&b, format, cols, rows))
			assert.Equal(t, want, b.String())
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

// TestSparkFormatted draws values that carry their own text, as meshctl sql
// passes them: the same lines as from Go numbers.
func TestSparkFormatted(t *testing.T) {
	num := func(s string) text { return text{s: s, json: s, number: true} }
	str := func(s string) text { return text{s: s, json: `"` + s + `"`} }
	rows := [][]any{
		{str("eu"), str("2026-01-01"), num("0")}, {str("eu"), str("2026-01-02"), num("7.0")}, {str("eu"), str("2026-01-03"), num("14")},
	}
	var b bytes.Buffer
	require.NoError(t, Write(&b, "spark", []string{"region", "day", "orders"}, rows))
	assert.Equal(t, "region  orders by day, 2026-01-01 to 2026-01-03 (scale 0 to 14)\n"+
		"eu      ▁▅█  total 21, min 0, max 14\n"+
		"(1 series, 3 points)\n", b.String())
	require.ErrorContains(t, Write(&b, "spark", []string{"region", "orders"}, [][]any{{str("eu"), str("many")}}), `"many"`)
}
