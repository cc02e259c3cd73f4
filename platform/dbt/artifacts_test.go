package dbt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// contractsDir is the dbt artifact schemas kept in this package (copies of
// dbt-core's, see schemas/README.md).
const contractsDir = "schemas"

func schemaFor(t *testing.T, version, file string) *jsonschema.Schema {
	t.Helper()
	p := filepath.Join(contractsDir, version, file)
	_, err := os.Stat(p)
	require.NoError(t, err, "dbt artifact schema %s", p)
	c := jsonschema.NewCompiler()
	s, err := c.Compile(p)
	require.NoError(t, err, p)
	return s
}

func buildArtifacts(t *testing.T) (Artifacts, *Project) {
	t.Helper()
	p := loadShop(t, LoadOptions{})
	a := Artifacts{
		Project: p, Database: "mesh", InvocationID: "6f1c2e0a-8a39-4f5e-9d0b-3b1c9c7f2a11",
		GeneratedAt: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC), Compiled: map[string]string{},
		Relations: map[string]Relation{}, Columns: map[string][]CatalogColumn{},
		Args: map[string]any{"which": "run", "select": []string{}}, Elapsed: 2500 * time.Millisecond,
	}
	start := a.GeneratedAt.Add(-2 * time.Second)
	order, err := p.Order(p.sortedModels())
	require.NoError(t, err)
	for _, m := range order {
		sql, err := p.Compile(m, compileCtx("orders."+m.Name, false))
		require.NoError(t, err)
		a.Compiled[m.UniqueID] = sql
		a.Relations[m.UniqueID] = Relation{Database: "mesh", Schema: "orders", Alias: m.Name}
		if m.Config.Materialized == "ephemeral" {
			continue
		}
		a.Results = append(a.Results, NodeResult{
			UniqueID: m.UniqueID, Status: "success", Message: "OK", Rows: 3, Started: start, Completed: start.Add(40 * time.Millisecond),
			AdapterResponse: map[string]any{"_message": "OK", "rows_affected": 3},
		})
	}
	for _, tt := range p.Tests {
		sql, err := p.CompileTest(tt, compileCtx("", false))
		require.NoError(t, err)
		a.Compiled[tt.UniqueID] = sql
		n := 0
		status := "pass"
		if tt.Kind == "relationships" {
			n, status = 2, "warn"
		}
		a.Results = append(a.Results, NodeResult{UniqueID: tt.UniqueID, Status: status, Failures: &n, Started: start, Completed: start.Add(time.Millisecond)})
	}
	a.Results = append(a.Results, NodeResult{UniqueID: "seed.shop.regions", Status: "success", Rows: 3, Started: start, Completed: start})
	a.Columns["model.shop.fact_orders"] = []CatalogColumn{{Name: "order_id", Type: "VARCHAR", Index: 1}, {Name: "amount", Type: "DOUBLE", Index: 2}}
	a.Columns["model.shop.stg_orders"] = []CatalogColumn{{Name: "order_id", Type: "VARCHAR"}, {Name: "status", Type: "VARCHAR"}}
	a.Columns["seed.shop.regions"] = []CatalogColumn{{Name: "region_id", Type: "INTEGER", Index: 1}, {Name: "name", Type: "VARCHAR", Index: 2}}
	a.Columns["source.shop.orders.raw_orders"] = []CatalogColumn{{Name: "order_id", Type: "VARCHAR", Index: 1, Comment: "from the contract"}}
	return a, p
}

func readJSON(t *testing.T, path string) (map[string]any, any) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	inst, err := jsonschema.UnmarshalJSON(f)
	require.NoError(t, err)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	return doc, inst
}

func TestArtifactsValidate(t *testing.T) {
	a, p := buildArtifacts(t)
	dir := filepath.Join(t.TempDir(), "target")
	require.NoError(t, WriteManifest(dir, a))
	require.NoError(t, WriteRunResults(dir, a))
	require.NoError(t, WriteCatalog(dir, a))

	files := map[string]string{
		"manifest.json":    "manifest/v12.json",
		"run_results.json": "run-results/v6.json",
		"catalog.json":     "catalog/v1.json",
	}
	for _, version := range []string{"v1.9.11", "v1.12.3"} {
		for artifact, schema := range files {
			t.Run(version+"/"+artifact, func(t *testing.T) {
				s := schemaFor(t, version, schema)
				_, inst := readJSON(t, filepath.Join(dir, artifact))
				assert.NoError(t, s.Validate(inst))
			})
		}
	}

	man, _ := readJSON(t, filepath.Join(dir, "manifest.json"))
	meta := man["metadata"].(map[string]any)
	assert.Equal(t, ManifestSchema, meta["dbt_schema_version"])
	assert.Equal(t, "1.9.11", meta["dbt_version"])
	assert.Equal(t, "duckdb", meta["adapter_type"])
	assert.Equal(t, "shop", meta["project_name"])
	assert.Equal(t, "2025-03-01T12:00:00.000000Z", meta["generated_at"])

	nodes := man["nodes"].(map[string]any)
	sources := man["sources"].(map[string]any)
	assert.Len(t, nodes, len(p.Models)+len(p.Seeds)+len(p.Tests))
	assert.Len(t, sources, len(p.Sources))
	for id, n := range nodes {
		node := n.(map[string]any)
		deps, _ := node["depends_on"].(map[string]any)["nodes"].([]any) // seeds have none
		for _, dep := range deps {
			_, isNode := nodes[dep.(string)]
			_, isSource := sources[dep.(string)]
			assert.True(t, isNode || isSource, "%s depends on unknown %s", id, dep)
		}
		if node["resource_type"] == "model" || node["resource_type"] == "test" {
			assert.NotEmpty(t, node["compiled_code"], id)
			assert.Equal(t, true, node["compiled"], id)
		}
	}
	fact := nodes["model.shop.fact_orders"].(map[string]any)
	assert.Equal(t, "mesh", fact["database"])
	assert.Equal(t, "orders", fact["schema"])
	assert.Equal(t, "fact_orders", fact["alias"])
	assert.Equal(t, `"mesh"."orders"."fact_orders"`, fact["relation_name"])
	assert.Equal(t, []any{"shop", "marts", "fact_orders"}, fact["fqn"])
	assert.Equal(t, []any{"model.shop.stg_orders"}, fact["depends_on"].(map[string]any)["nodes"])
	assert.Equal(t, []any{"macro.shared_utils.safe_divide"}, fact["depends_on"].(map[string]any)["macros"])
	assert.Equal(t, "incremental", fact["config"].(map[string]any)["materialized"])
	assert.Equal(t, "order_id", fact["config"].(map[string]any)["unique_key"])

	email := nodes["model.shop.dim_customers"].(map[string]any)["columns"].(map[string]any)["email"].(map[string]any)
	assert.Equal(t, []any{"PII.Sensitive"}, email["tags"])
	assert.Equal(t, true, email["meta"].(map[string]any)["pii"])
	assert.Equal(t, "Customer email.", email["description"])

	rel := nodes[findTest(t, p, "relationships_stg_orders_customer_id__customer_id__ref_dim_customers_").UniqueID].(map[string]any)
	md := rel["test_metadata"].(map[string]any)
	assert.Equal(t, "relationships", md["name"])
	assert.Equal(t, "ref('dim_customers')", md["kwargs"].(map[string]any)["to"])
	assert.Equal(t, "model.shop.stg_orders", rel["attached_node"])
	assert.Equal(t, "warn", rel["config"].(map[string]any)["severity"])

	pm := man["parent_map"].(map[string]any)
	cm := man["child_map"].(map[string]any)
	assert.Equal(t, []any{"model.shop.stg_customers", "seed.shop.regions"}, pm["model.shop.int_customer_regions"])
	assert.Contains(t, cm["source.shop.orders.raw_orders"], "model.shop.stg_orders")
	assert.Contains(t, man["macros"], "macro.shop.cents_to_dollars")

	rr, _ := readJSON(t, filepath.Join(dir, "run_results.json"))
	assert.Len(t, rr["results"], len(a.Results))
	assert.Equal(t, 2.5, rr["elapsed_time"])

	cat, _ := readJSON(t, filepath.Join(dir, "catalog.json"))
	cn := cat["nodes"].(map[string]any)["model.shop.stg_orders"].(map[string]any)
	assert.Equal(t, "VIEW", cn["metadata"].(map[string]any)["type"])
	assert.Equal(t, float64(2), cn["columns"].(map[string]any)["status"].(map[string]any)["index"])
	assert.Contains(t, cat["sources"], "source.shop.orders.raw_orders")
}

// TestManifestModelConfigExtra: config keys beyond the typed ones are
// written as the project sets them, and one named like a typed field
// (grants, database, full_refresh) replaces dbt's default; the manifest
// still validates.
func TestManifestModelConfigExtra(t *testing.T) {
	p, err := Load(fstest.MapFS{
		"dbt_project.yml": {Data: []byte("name: edge\nversion: '1'\nconfig-version: 2\nprofile: mesh\n" +
			"models:\n  edge:\n    +persist_docs: {relation: true}\n    +pre-hook: \"select 1\"\n")},
		"models/a.sql": {Data: []byte("{{ config(materialized='incremental', unique_key=['a', 'b'], grants={'select': ['bi']}, " +
			"partition_by='day', database='other', full_refresh=false) }}\nselect 1 as a, 2 as b\n")},
		"models/b.sql": {Data: []byte("select 1 as a\n")},
	}, LoadOptions{Env: noEnv})
	require.NoError(t, err)
	dir := t.TempDir()
	art := Artifacts{Project: p, Database: "mesh"}
	for _, write := range []func(string, Artifacts) error{WriteManifest, WriteRunResults, WriteCatalog} {
		require.NoError(t, write(dir, art))
	}
	require.NoError(t, Validate(dir, "v1.9.11"))
	man, _ := readJSON(t, filepath.Join(dir, "manifest.json"))
	nodes := man["nodes"].(map[string]any)

	a := nodes["model.edge.a"].(map[string]any)["config"].(map[string]any)
	assert.Equal(t, map[string]any{"select": []any{"bi"}}, a["grants"])
	assert.Equal(t, "day", a["partition_by"])
	assert.Equal(t, "other", a["database"])
	assert.Equal(t, false, a["full_refresh"])
	assert.Equal(t, map[string]any{"relation": true}, a["persist_docs"])
	assert.Equal(t, []any{"a", "b"}, a["unique_key"])
	assert.Equal(t, []any{map[string]any{"sql": "select 1", "transaction": true, "index": nil}}, a["pre-hook"])
	assert.Equal(t, "protected", a["access"])

	b := nodes["model.edge.b"].(map[string]any)["config"].(map[string]any)
	assert.Equal(t, map[string]any{}, b["grants"])
	assert.Nil(t, b["database"])
	assert.Nil(t, b["unique_key"])
	assert.Contains(t, b, "full_refresh")
	assert.Nil(t, b["full_refresh"])
	assert.NotContains(t, b, "partition_by")
}

func TestArtifactsErrors(t *testing.T) {
	dir := t.TempDir()
	assert.ErrorIs(t, WriteManifest(dir, Artifacts{}), ErrProject)
	assert.ErrorIs(t, WriteCatalog(dir, Artifacts{}), ErrProject)
	a, _ := buildArtifacts(t)
	a.Columns["model.shop.nope"] = nil
	assert.ErrorContains(t, WriteCatalog(dir, a), "unknown node model.shop.nope")
}

func TestValidateRejectsBrokenArtifacts(t *testing.T) {
	a, _ := buildArtifacts(t)
	dir := t.TempDir()
	require.NoError(t, WriteManifest(dir, a))
	require.NoError(t, WriteRunResults(dir, a))
	require.NoError(t, WriteCatalog(dir, a))
	for _, v := range SchemaVersions {
		require.NoError(t, Validate(dir, v), v)
	}
	// A field only newer dbt versions know must be refused by the 1.9 schema.
	raw, err := os.ReadFile(filepath.Join(dir, "run_results.json"))
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	doc["metadata"].(map[string]any)["invocation_started_at"] = "2025-03-01T12:00:00Z"
	raw, err = json.Marshal(doc)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "run_results.json"), raw, 0o644))
	err = Validate(dir, "v1.9.11")
	require.ErrorIs(t, err, ErrInvalidArtifact)
	assert.Contains(t, err.Error(), "run_results.json")
}

// TestManifestAsDbtCore pins what dbt-core itself writes for testdata/shop
// (dbt-core 1.11.16 with dbt-duckdb 1.11.1, 'dbt parse'): generic test unique
// ids and the aliases of long test names, the primary keys it infers from
// unique and not_null tests, and the checksums of the model and seed files.
// go run mage.go interop:dbt compares the domains' manifests the same way.
func TestManifestAsDbtCore(t *testing.T) {
	a, _ := buildArtifacts(t)
	dir := t.TempDir()
	require.NoError(t, WriteManifest(dir, a))
	man, _ := readJSON(t, filepath.Join(dir, "manifest.json"))
	nodes := man["nodes"].(map[string]any)

	wantTests := map[string]any{ // unique id -> config.alias
		"test.shop.accepted_values_stg_orders_status__placed__shipped__delivered.d47d0ca67d":         nil,
		"test.shop.not_null_fact_orders_order_id.6ba6d3f0a0":                                         nil,
		"test.shop.not_null_regions_region_id.2fd4b6943a":                                            nil,
		"test.shop.not_null_stg_orders_order_id.81cfe2fe64":                                          nil,
		"test.shop.relationships_stg_orders_customer_id__customer_id__ref_dim_customers_.d4825a4ccb": "relationships_stg_orders_9f216437c48eb11148bf4528ba6605b9",
		"test.shop.source_not_null_orders_raw_orders_order_id.48ea28c89f":                            nil,
		"test.shop.unique_dim_customers_customer_id.15c9f1e2fd":                                      nil,
		"test.shop.unique_fact_orders_order_id.93a68b4064":                                           nil,
		"test.shop.unique_regions_region_id.1d4ffa8696":                                              nil,
		"test.shop.unique_stg_orders_order_id.e3b841c71a":                                            nil,
	}
	gotTests := map[string]any{}
	for id, n := range nodes {
		if strings.HasPrefix(id, "test.") {
			gotTests[id] = n.(map[string]any)["config"].(map[string]any)["alias"]
		}
	}
	assert.Equal(t, wantTests, gotTests)
	av := nodes["test.shop.accepted_values_stg_orders_status__placed__shipped__delivered.d47d0ca67d"].(map[string]any)
	assert.Equal(t, map[string]any{
		"values": []any{"placed", "shipped", "delivered"}, "column_name": "status",
		"model": "{{ get_where_subquery(ref('stg_orders')) }}",
	}, av["test_metadata"].(map[string]any)["kwargs"], "no quote argument unless the YAML gives one")

	for id, want := range map[string]struct {
		pk  []any
		sum string
	}{
		"model.shop.dim_customers":         {[]any{"customer_id"}, "1aadfc3aa9b9f09d19cbb45578a82ab2c0f3463eee44233a7840d0f880e33484"},
		"model.shop.fact_orders":           {[]any{"order_id"}, "4f8528db146f7a5dc54ac0fc56bb971e59db939b187276daea5e7bc20cd10a9a"},
		"model.shop.stg_orders":            {[]any{"order_id"}, "250588186374f35c0daf160b95a0ed89e5b9d388f4ed8058577ae278b55167d2"},
		"model.shop.active_customers":      {[]any{}, "8013c4956828ce85b233188e2c90786a831572d69558ade4b2120f5f9ef39579"},
		"model.shop.int_customer_regions":  {[]any{}, "2d031bac41acd1b62c0c0b7509befcef2b79bb6b7ecbd6f3499b391fbdd51737"},
		"model.shared_utils.util_calendar": {[]any{}, "6a7210fc9561faf1c8ea27af89d7ade1d2da6a4f51c3e65fb16156fdcb9ae6f3"},
		"seed.shop.regions":                {nil, "415e186aa2b6b2f12fbf6527f9f6fdcbe157e15000d96f17e21660e550e6e332"},
	} {
		n, ok := nodes[id].(map[string]any)
		require.True(t, ok, id)
		assert.Equal(t, want.sum, n["checksum"].(map[string]any)["checksum"], id)
		if want.pk != nil {
			assert.Equal(t, want.pk, n["primary_key"], id)
		}
	}
	assert.Equal(t, "shop://seeds/properties.yml", nodes["seed.shop.regions"].(map[string]any)["patch_path"])
	rel := nodes["test.shop.relationships_stg_orders_customer_id__customer_id__ref_dim_customers_.d4825a4ccb"].(map[string]any)
	assert.Equal(t, "warn", rel["config"].(map[string]any)["severity"], "severity as the property file writes it")
}

func TestPythonReprs(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		// Each want is what CPython 3.11 prints for repr(str(in)).
		{"plain", `'plain'`},
		{"it's", `"it's"`},
		{`both ' and "`, `'both \' and "'`},
		{"back\\slash\ttab\nnl", `'back\\slash\ttab\nnl'`},
		{"\x01\x7f", `'\x01\x7f'`},
		{"café ü", `'café ü'`},
		{"\u00a0\u200b", `'\xa0\u200b'`},
		{true, `'True'`},
		{nil, `'None'`},
		{3, `'3'`},
		{1.0, `'1.0'`},
		{0.1, `'0.1'`},
		{1e16, `'1e+16'`},
		{1.5e-5, `'1.5e-05'`},
		{123456789012345.6, `'123456789012345.6'`},
	} {
		assert.Equal(t, tc.want, pyRepr(pyStr(tc.in)), "%#v", tc.in)
	}
	assert.Equal(t, `{'a': ['1', 'x'], 'b': {'c': 'None'}}`,
		pyHashableRepr(map[string]any{"b": map[string]any{"c": nil}, "a": []any{1, "x"}}))
}
