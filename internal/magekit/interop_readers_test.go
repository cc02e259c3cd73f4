package magekit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareReaders(t *testing.T) {
	fp := func(table string, rows int64, sum string, cols map[string]string) tableFingerprint {
		return tableFingerprint{Table: table, Rows: rows, Checksum: sum, Columns: cols, Types: map[string]string{"b": "timestamp[us]"}}
	}
	cols := map[string]string{"a": "01", "b": "02"}
	want := &readerReport{Reader: "meshctl", Tables: []tableFingerprint{
		fp("orders.fact_orders", 10, "aa", cols),
		fp("orders.raw_orders", 20, "bb", cols),
	}}
	tests := []struct {
		name string
		got  []tableFingerprint
		want []string // substrings of each difference, in order
	}{
		{name: "same", got: want.Tables},
		{
			name: "equality deletes unsupported",
			got:  []tableFingerprint{{Table: "orders.fact_orders", Error: "ValueError: PyIceberg does not yet support equality deletes"}, want.Tables[1]},
			want: []string{"embedded: pyiceberg could not read orders.fact_orders: ValueError: PyIceberg does not yet support equality deletes"},
		},
		{
			name: "rows",
			got:  []tableFingerprint{fp("orders.fact_orders", 9, "aa", cols), want.Tables[1]},
			want: []string{"pyiceberg reads 9 rows of orders.fact_orders, meshctl 10"},
		},
		{
			name: "checksum names the column and its type",
			got:  []tableFingerprint{want.Tables[0], fp("orders.raw_orders", 20, "cc", map[string]string{"a": "01", "b": "03"})},
			want: []string{"orders.raw_orders with checksum cc, meshctl bb (same 20 rows); columns that differ: b (read as timestamp[us])"},
		},
		{
			name: "rows paired differently",
			got:  []tableFingerprint{want.Tables[0], fp("orders.raw_orders", 20, "cc", cols)},
			want: []string{"columns that differ: none"},
		},
		{
			name: "missing and extra tables",
			got:  []tableFingerprint{want.Tables[0], fp("orders.other", 1, "dd", cols)},
			want: []string{"pyiceberg does not list orders.raw_orders", "pyiceberg lists orders.other, which meshctl tables does not"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := &readerReport{Reader: "pyiceberg", Tables: tt.got}
			diffs := compareReaders(BackendEmbedded, want, []*readerReport{got})
			require.Len(t, diffs, len(tt.want), "%q", diffs)
			for i, d := range diffs {
				assert.Contains(t, d, tt.want[i])
			}
			var out bytes.Buffer
			printReaders(&out, BackendEmbedded, want, []*readerReport{got})
			assert.Contains(t, out.String(), "orders.fact_orders")
		})
	}
}

func TestEnsureJarsRefusesAnotherJar(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(EnvInteropCache, cache)
	t.Setenv(EnvMavenRepo, "http://127.0.0.1:1") // nothing listens: no download may happen
	jar := mavenJar{"org.example", "thing", "1.0", "0000000000000000000000000000000000000000000000000000000000000000"}
	p := filepath.FromSlash(jar.path(filepath.ToSlash(filepath.Join(cache, "maven"))))
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("not the pinned jar"), 0o644))
	var log bytes.Buffer
	_, err := ensureJars(&log, []mavenJar{jar})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fetching org.example:thing:1.0")
	assert.Contains(t, log.String(), "is not the pinned jar")
}
