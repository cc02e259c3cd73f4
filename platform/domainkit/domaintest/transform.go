package domaintest

import (
	"encoding/csv"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/contract"
	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/lakehouse"
)

// ExportEvents writes the raw events selected by where (a SQL predicate over the
// raw table) as a replay CSV with the contract's columns, and returns its path.
// Replaying it publishes the same events again: a producer replaying a file twice.
func (h *Harness) ExportEvents(event, where string, edit func(row map[string]string)) string {
	h.T.Helper()
	c := h.Domain.Contracts[event]
	id, err := h.Domain.RawTable(event)
	require.NoError(h.T, err)
	var cols, header []string
	for _, f := range c.Fields {
		header = append(header, f.Name)
		switch f.Type {
		case contract.Timestamp:
			cols = append(cols, fmt.Sprintf(`strftime(%s, '%%Y-%%m-%%dT%%H:%%M:%%S.%%fZ')`, f.Name))
		default:
			cols = append(cols, f.Name)
		}
	}
	rows := h.Query(fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY event_id", strings.Join(cols, ", "), id, where))
	path := filepath.Join(h.T.TempDir(), "replay.csv")
	f, err := os.Create(path)
	require.NoError(h.T, err)
	w := csv.NewWriter(f)
	require.NoError(h.T, w.Write(header))
	for _, r := range rows {
		m := map[string]string{}
		for i, name := range header {
			if r[i] != nil {
				m[name] = fmt.Sprint(r[i])
			}
		}
		if edit != nil {
			edit(m)
		}
		rec := make([]string, len(header))
		for i, name := range header {
			rec[i] = m[name]
		}
		require.NoError(h.T, w.Write(rec))
	}
	w.Flush()
	require.NoError(h.T, w.Error())
	require.NoError(h.T, f.Close())
	return path
}

// Snapshots returns the current snapshot id of every table.
func (h *Harness) Snapshots() map[string]int64 {
	h.T.Helper()
	infos, err := h.Lakehouse().Tables(h.T.Context())
	require.NoError(h.T, err)
	out := map[string]int64{}
	for _, ti := range infos {
		out[ti.Ident.String()] = ti.SnapshotID
	}
	return out
}

// Table returns the identifier of a table of the harness's domain.
func (h *Harness) Table(name string) lakehouse.Ident {
	return lakehouse.Ident{Namespace: h.Domain.Name(), Name: name}
}

// CheckDBTProject checks the domain's dbt project: it loads, every ref and
// source resolves, and every model and column is documented in schema.yml.
func CheckDBTProject(t *testing.T, d *domainkit.Domain) {
	p, err := d.DBTProject(nil)
	require.NoError(t, err, "loading the dbt project of %s", d.Name())
	require.NotEmpty(t, p.Models)
	for name, m := range p.Models {
		assert.NotEmpty(t, m.Description, "model %s has no description in schema.yml", name)
		require.NotEmpty(t, m.Columns, "model %s has no columns in schema.yml", name)
		for _, c := range m.Columns {
			assert.NotEmpty(t, c.Description, "%s.%s has no description", name, c.Name)
		}
		for _, r := range m.Refs {
			_, ok := p.Models[r]
			_, seed := p.Seeds[r]
			assert.True(t, ok || seed, "%s: ref(%q) does not resolve", m.Path, r)
		}
		for _, s := range m.Sources {
			_, ok := p.Sources[s[0]+"."+s[1]]
			assert.True(t, ok, "%s: source(%q, %q) does not resolve", m.Path, s[0], s[1])
		}
	}
	ordered, err := p.Order(mapValues(p.Models))
	require.NoError(t, err)
	assert.Len(t, ordered, len(p.Models))
}

func mapValues[V any](m map[string]V) []V {
	out := make([]V, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[k])
	}
	return out
}
