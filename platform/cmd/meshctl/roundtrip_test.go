package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
	"github.com/meshterious/warehouse/platform/produce"
)

func TestMain(m *testing.M) { domaintest.Main(m) }

// meshctlSQL runs meshctl sql with the harness's environment and returns its output.
func meshctlSQL(t *testing.T, h *domaintest.Harness, format, sql string) string {
	t.Helper()
	for k, v := range h.Env {
		t.Setenv(k, v)
	}
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"sql", "--format", format, sql}, &out, &errOut), errOut.String())
	return out.String()
}

// TestCSVExportReplays exports raw events with meshctl sql --format csv, new
// event_ids from gen_random_uuid() (a UUID column), replays the file with
// the domain binary's produce --replay and finds the same events in the raw
// table, field for field.
func TestCSVExportReplays(t *testing.T) {
	files := os.DirFS(filepath.Join("testdata", "pings"))
	d, err := domainkit.Load(files, map[string]produce.Generator{"pings": nil})
	require.NoError(t, err)
	h := domaintest.New(t, d, "./testdata/pings", domaintest.Embedded)
	const events = 200
	h.Run("produce", "--region", "us-east", "--burst", "200", "--since", "2d", "--until", domaintest.FixedUntil.Format(time.RFC3339))
	h.Run("ingest", "--region", "us-east", "--until-idle", "--quiet")
	require.Equal(t, int64(events), h.Count("roundtrip.raw_pings"))

	// Every field of the contract; event_ts in the contract's RFC 3339
	// (DuckDB prints a TIMESTAMP WITH TIME ZONE as 2026-11-19 12:00:00+00).
	const fields = `strftime(event_ts, '%Y-%m-%dT%H:%M:%S.%fZ') AS event_ts, event_type, ref, day, n, amount, ok, note`
	exported := meshctlSQL(t, h, "csv", "SELECT * FROM (SELECT gen_random_uuid() AS event_id, "+fields+
		" FROM roundtrip.raw_pings) ORDER BY event_id")
	records, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
	require.NoError(t, err)
	require.Len(t, records, events+1, "a header and a record per event")
	assert.Equal(t, []string{"event_id", "event_ts", "event_type", "ref", "day", "n", "amount", "ok", "note"}, records[0])
	ids := make([]string, 0, events)
	for _, r := range records[1:] {
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, r[0], "a UUID prints as its text")
		ids = append(ids, "'"+r[0]+"'")
	}
	path := filepath.Join(t.TempDir(), "export.csv")
	require.NoError(t, os.WriteFile(path, []byte(exported), 0o644))

	h.Run("produce", "--region", "us-east", "--replay", path)
	h.Run("ingest", "--region", "us-east", "--until-idle", "--quiet")
	require.Equal(t, int64(2*events), h.Count("roundtrip.raw_pings"), "every replayed event arrived")
	replayed := meshctlSQL(t, h, "csv", "SELECT event_id, "+fields+" FROM roundtrip.raw_pings WHERE event_id IN ("+
		strings.Join(ids, ", ")+") ORDER BY event_id")
	assert.Equal(t, exported, replayed, "the replayed events are the exported rows")
	// The file exercises what CSV and the contract types must carry.
	for _, s := range []string{`"say ""hi"", then leave"`, "\"two\nlines\"", ",true,", ",false,", ",0.1,", ",1e-07,"} {
		assert.Contains(t, exported, s)
	}
}
