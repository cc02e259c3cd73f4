package magekit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/meshterious/warehouse/platform/config"
	"github.com/meshterious/warehouse/platform/dbt"
	"github.com/meshterious/warehouse/platform/dbtpkg"
	"github.com/meshterious/warehouse/platform/domainspec"
)

// IntegrityTarget is the share the demo aims at for every relationships test.
const IntegrityTarget = 0.999

// Integrity is the outcome of one dbt relationships test measured as a share:
// how many non-null keys of Child.Column are found in Parent.Field.
type Integrity struct {
	Domain        string
	Child, Column string // e.g. returns.fact_returns, order_id
	Parent, Field string // e.g. orders.fact_orders, order_id
	Keys, Found   int64
}

// Share is Found/Keys, 1 for a table without keys.
func (i Integrity) Share() float64 {
	if i.Keys == 0 {
		return 1
	}
	return float64(i.Found) / float64(i.Keys)
}

// TableTests counts the data-test results of one table in a domain's last
// `transform build` (its run_results.json).
type TableTests struct {
	Table                string
	Passed, Failed, Warn int
}

// domainProject loads the dbt project of a domain from its folder.
func domainProject(root string, d *domainspec.Domain) (*dbt.Project, error) {
	dir := filepath.Join(root, d.Dir, "dbt")
	if _, err := os.Stat(filepath.Join(dir, "dbt_project.yml")); err != nil {
		return nil, nil // a domain without a dbt project has no tests
	}
	p, err := dbt.Load(os.DirFS(dir), dbt.LoadOptions{Packages: dbtpkg.Packages()})
	if err != nil {
		return nil, fmt.Errorf("domain %s: %w", d.Name, err)
	}
	return p, nil
}

// relations maps the unique ids of a project's models, seeds and sources to
// their lakehouse tables (<namespace>.<table>); a node without a schema lands
// in the domain's namespace.
func relations(p *dbt.Project, domain string) map[string]string {
	or := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	out := map[string]string{}
	for _, m := range p.Models {
		out[m.UniqueID] = or(m.Config.Schema, domain) + "." + or(m.Config.Alias, m.Name)
	}
	for _, s := range p.Seeds {
		out[s.UniqueID] = or(s.Schema, domain) + "." + or(s.Alias, s.Name)
	}
	for _, s := range p.Sources {
		out[s.UniqueID] = or(s.Schema, s.Name) + "." + or(s.Identifier, s.Table)
	}
	return out
}

// IntegrityShares measures every relationships test of every domain's dbt
// project by running SQL through meshctl (`meshctl sql --format csv`).
func IntegrityShares(root, meshctl string, ds []*domainspec.Domain) ([]Integrity, error) {
	var out []Integrity
	for _, d := range ds {
		p, err := domainProject(root, d)
		if err != nil || p == nil {
			return out, err
		}
		rel := relations(p, d.Name)
		for _, t := range p.Tests {
			if t.Kind != "relationships" {
				continue
			}
			parent := ""
			for _, id := range t.DependsOn {
				if id != t.Model {
					parent = rel[id]
				}
			}
			field, _ := t.Args["field"].(string)
			if rel[t.Model] == "" || parent == "" || field == "" {
				continue
			}
			i := Integrity{Domain: d.Name, Child: rel[t.Model], Column: t.Column, Parent: parent, Field: field}
			q := fmt.Sprintf(`SELECT count(*) AS keys, count(*) FILTER (WHERE k IN (SELECT %s FROM %s)) AS found
FROM (SELECT %s AS k FROM %s WHERE %s IS NOT NULL) c`, i.Field, i.Parent, i.Column, i.Child, i.Column)
			row, err := sqlRow(root, meshctl, q)
			if err != nil {
				return out, fmt.Errorf("%s.%s -> %s.%s: %w", i.Child, i.Column, i.Parent, i.Field, err)
			}
			if i.Keys, err = strconv.ParseInt(row[0], 10, 64); err == nil {
				i.Found, err = strconv.ParseInt(row[1], 10, 64)
			}
			if err != nil {
				return out, fmt.Errorf("%s.%s: %w", i.Child, i.Column, err)
			}
			out = append(out, i)
		}
	}
	return out, nil
}

// sqlRow runs a query with meshctl and returns its single row.
func sqlRow(root, meshctl, query string) ([]string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(meshctl, "sql", "--format", "csv", query)
	cmd.Dir, cmd.Stdout, cmd.Stderr = root, &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("meshctl sql: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	rows, err := csv.NewReader(&stdout).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) != 2 || len(rows[1]) != 2 {
		return nil, fmt.Errorf("meshctl sql: want one row of two columns, got %v", rows)
	}
	return rows[1], nil
}

// DataTestResults counts, per table, the data-test results of each domain's
// last `transform build`, read from $MESH_DATA_DIR/dbt/<domain>/target/run_results.json.
func DataTestResults(root, dataDir string, ds []*domainspec.Domain) ([]TableTests, error) {
	var out []TableTests
	for _, d := range ds {
		p, err := domainProject(root, d)
		if err != nil || p == nil {
			return out, err
		}
		b, err := os.ReadFile(filepath.Join(dataDir, "dbt", d.Name, "target", "run_results.json"))
		if err != nil {
			return out, fmt.Errorf("domain %s has no run results (run `%s transform build`): %w", d.Name, d.Name, err)
		}
		var rr struct {
			Results []struct {
				UniqueID string `json:"unique_id"`
				Status   string `json:"status"`
			} `json:"results"`
		}
		if err := json.Unmarshal(b, &rr); err != nil {
			return out, fmt.Errorf("domain %s run_results.json: %w", d.Name, err)
		}
		rel := relations(p, d.Name)
		tested := map[string]string{}
		for _, t := range p.Tests {
			tested[t.UniqueID] = rel[t.Model]
		}
		byTable := map[string]*TableTests{}
		for _, r := range rr.Results {
			table, ok := tested[r.UniqueID]
			if !ok {
				continue
			}
			tt := byTable[table]
			if tt == nil {
				tt = &TableTests{Table: table}
				byTable[table] = tt
			}
			switch r.Status {
			case "pass":
				tt.Passed++
			case "warn":
				tt.Warn++
			default:
				tt.Failed++
			}
		}
		for _, tt := range byTable {
			out = append(out, *tt)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table < out[j].Table })
	return out, nil
}

// PrintDemoReport prints the data-test results per table and the
// referential-integrity share of every relationships test, and returns an
// error when a test failed or a share is below IntegrityTarget.
func PrintDemoReport(w io.Writer, root string, ds []*domainspec.Domain) error {
	dataDir := filepath.Join(root, config.DefaultDataDirName)
	if v := os.Getenv(config.EnvDataDir); v != "" {
		dataDir = v
	}
	tests, err := DataTestResults(root, dataDir, ds)
	if err != nil {
		return err
	}
	failed := 0
	fmt.Fprintf(w, "\n%-40s %6s %6s %6s\n", "data tests per table", "passed", "failed", "warn")
	for _, t := range tests {
		fmt.Fprintf(w, "%-40s %6d %6d %6d\n", t.Table, t.Passed, t.Failed, t.Warn)
		failed += t.Failed
	}
	shares, err := IntegrityShares(root, filepath.Join(root, "bin", "meshctl"), ds)
	if err != nil {
		return err
	}
	low := 0
	header := "referential integrity (child key -> parent)"
	names := make([]string, len(shares))
	width := len(header)
	for i, s := range shares {
		names[i] = fmt.Sprintf("%s.%s -> %s.%s", s.Child, s.Column, s.Parent, s.Field)
		width = max(width, len(names[i]))
	}
	fmt.Fprintf(w, "\n%-*s %10s %10s %8s\n", width, header, "keys", "found", "share")
	for i, s := range shares {
		mark := ""
		if s.Share() < IntegrityTarget {
			mark, low = "  < 99.9%", low+1
		}
		fmt.Fprintf(w, "%-*s %10d %10d %7.2f%%%s\n", width, names[i], s.Keys, s.Found, 100*s.Share(), mark)
	}
	if failed > 0 || low > 0 {
		return fmt.Errorf("demo report: %d failed data tests, %d integrity shares below %.1f%%", failed, low, 100*IntegrityTarget)
	}
	return nil
}
