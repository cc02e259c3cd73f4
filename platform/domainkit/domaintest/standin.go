package domaintest

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/lakehouse"
	"github.com/meshterious/warehouse/platform/produce"
)

// FixedUntil ends the time window of the shared tests (their --until): bursts
// and stand-ins are anchored to it, so every run sees the same data.
var FixedUntil = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// SalesChannels are the sales channels of orders.fact_orders.
var SalesChannels = []string{"web", "mobile", "store", "marketplace", "b2b"}

// OrdersOptions shape the stand-in of the orders data product. The zero value
// gives 20000 order lines per region over the 60 days before FixedUntil,
// spread evenly over SalesChannels.
type OrdersOptions struct {
	// PerRegion is the number of order lines of each region (default 20000).
	PerRegion int
	// Span and Until: line i of a region is placed at Until-Span+i*Span/PerRegion,
	// so the lines are evenly spaced over [Until-Span, Until). Defaults: 60
	// days, FixedUntil.
	Span  time.Duration
	Until time.Time
	// Channels are dealt to the lines in turn (line i gets Channels[i mod
	// len]): every channel gets the same share; repeat a channel to weight it.
	// Default SalesChannels.
	Channels []string
	// Regions to load (SeedOrders only); default every region (gen.RegionNames).
	Regions []string
}

func (o OrdersOptions) withDefaults() OrdersOptions {
	if o.PerRegion == 0 {
		o.PerRegion = 20000
	}
	if o.Span == 0 {
		o.Span = 60 * 24 * time.Hour
	}
	if o.Until.IsZero() {
		o.Until = FixedUntil
	}
	if len(o.Channels) == 0 {
		o.Channels = SalesChannels
	}
	if len(o.Regions) == 0 {
		o.Regions = gen.RegionNames()
	}
	return o
}

// ordersSeed keys the stand-in's random draws ("orders").
const ordersSeed uint64 = 0x6f7264657273

// OrderLines returns the stand-in's order lines of region as the upstream
// queries of domain.yaml read them from orders.fact_orders: order_id,
// product_id, warehouse_id, region, channel, order_ts (time.Time), qty
// (int64) and unit_price (float64), oldest first. Products and warehouses are
// those the inventory domain publishes (inventory.products,
// inventory.warehouses), so every key resolves; unit_price is the product's
// list price and qty is 1 to 4.
// Each line is drawn from its own stream (seeded by region and position), so
// the lines are the same on every call and do not depend on PerRegion.
func OrderLines(t testing.TB, region string, o OrdersOptions) []map[string]any {
	t.Helper()
	o = o.withDefaults()
	require.Positive(t, o.PerRegion)
	require.Positive(t, o.Span)
	warehouses := publishedWarehouses(t, region)
	require.NotEmpty(t, warehouses, "no warehouses in region %q", region)
	products := publishedProducts(t)
	step := o.Span / time.Duration(o.PerRegion)
	start := o.Until.Add(-o.Span)
	lines := make([]map[string]any, o.PerRegion)
	for i := range lines {
		r := gen.NewRand(ordersSeed, gen.DefaultSeed(region, strconv.Itoa(i)))
		p := products[r.IntN(len(products))]
		lines[i] = map[string]any{
			"order_id":     r.UUID().String(),
			"product_id":   p.id,
			"warehouse_id": warehouses[i%len(warehouses)],
			"region":       region,
			"channel":      o.Channels[i%len(o.Channels)],
			"order_ts":     start.Add(time.Duration(i) * step).Truncate(time.Microsecond),
			"qty":          int64(1 + r.IntN(4)),
			"unit_price":   p.price,
		}
	}
	return lines
}

// ByOrderID indexes order lines (see OrderLines) by order_id.
func ByOrderID(lines []map[string]any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(lines))
	for _, l := range lines {
		out[l["order_id"].(string)] = l
	}
	return out
}

// orderColumns are the columns OrderLines fills, in the stand-in file's order.
var orderColumns = []string{"order_id", "product_id", "warehouse_id", "region", "channel", "order_ts", "qty", "unit_price"}

// derivedOrderColumns are the columns the real data product derives from an
// order line, as the stand-in derives them (DuckDB expressions).
var derivedOrderColumns = map[string]string{
	"line_amount": "round(qty * unit_price, 2)",
	"event_id":    "CAST(CAST(md5('event/' || order_id) AS UUID) AS VARCHAR)",
	"event_ts":    "order_ts",
	"event_date":  "CAST(timezone('UTC', order_ts) AS DATE)",
}

// SeedOrders loads the stand-in of the orders data product as
// orders.fact_orders, with the columns the orders domain declares for it (its
// dbt schema.yml) typed as its event contract types them: the OrderLines of
// every region of o, the columns the real product derives from them
// (line_amount, event_id, event_ts, event_date), and NULL for the other
// declared columns the contract types (a column of the product alone, such as
// last_ingested_at, is left out). A domain reading orders, and its relationships tests,
// find the orders they refer to; a column the owner adds appears without a
// change here, and one it renames that the stand-in fills fails naming it.
// A domain's tests never run another domain's code: this is what they read
// instead.
func SeedOrders(h *Harness, o OrdersOptions) {
	h.T.Helper()
	o = o.withDefaults()
	declared := ownerColumns(h.T, "orders", "fact_orders")
	requireDeclared(h.T, "orders", "fact_orders", declared, orderColumns)
	types := ownerFieldTypes(h.T, "orders")
	path := filepath.Join(h.T.TempDir(), "fact_orders.csv")
	f, err := os.Create(path)
	require.NoError(h.T, err)
	w := csv.NewWriter(f)
	csvTypes := make([]string, len(orderColumns))
	for i, c := range orderColumns {
		csvTypes[i] = fmt.Sprintf("'%s': '%s'", c, typeOr(types, c))
	}
	require.NoError(h.T, w.Write(orderColumns))
	for _, region := range o.Regions {
		for _, l := range OrderLines(h.T, region, o) {
			rec := make([]string, len(orderColumns))
			for i, c := range orderColumns {
				switch v := l[c].(type) {
				case time.Time:
					rec[i] = produce.Timestamp(v)
				case float64:
					rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
				default:
					rec[i] = fmt.Sprint(v)
				}
			}
			require.NoError(h.T, w.Write(rec))
		}
	}
	w.Flush()
	require.NoError(h.T, w.Error())
	require.NoError(h.T, f.Close())
	var selects []string
	for _, c := range declared {
		expr, derived := derivedOrderColumns[c]
		typ, typed := types[c]
		switch {
		case slices.Contains(orderColumns, c):
			selects = append(selects, c)
		case derived:
			selects = append(selects, expr+" AS "+c)
		case typed:
			selects = append(selects, fmt.Sprintf("CAST(NULL AS %s) AS %s", typ, c))
		}
	}
	h.LoadSQL(lakehouse.Ident{Namespace: "orders", Name: "fact_orders"}, fmt.Sprintf(
		"SELECT %s FROM read_csv('%s', header = true, columns = {%s})",
		strings.Join(selects, ", "), path, strings.Join(csvTypes, ", ")))
}

// typeOr is the contract's DuckDB type of a column, VARCHAR for a column no
// contract field names.
func typeOr(types map[string]string, col string) string {
	if t, ok := types[col]; ok {
		return t
	}
	return "VARCHAR"
}

// Orders returns an Upstream (see Suite and Options) that loads the stand-in
// of the orders data product with SeedOrders.
func Orders(o OrdersOptions) func(h *Harness) {
	return func(h *Harness) { SeedOrders(h, o) }
}

// SeedVehicles loads the stand-in of the fleet's data product
// fleet.dim_vehicle: the vehicles the fleet domain publishes (fleet.vehicles),
// with the columns it declares for dim_vehicle that the published table
// holds (the columns dim_vehicle derives, such as a location, are left out).
func SeedVehicles(h *Harness) {
	h.T.Helper()
	vehicles := Published(h.T, "fleet.vehicles")
	var cols []string
	for _, c := range ownerColumns(h.T, "fleet", "dim_vehicle") {
		if slices.Contains(vehicles.Header, c) {
			cols = append(cols, c)
		}
	}
	requireDeclared(h.T, "fleet", "dim_vehicle", cols, []string{"vehicle_id", "type", "region", "home_warehouse"})
	path := filepath.Join(h.T.TempDir(), "vehicles.csv")
	require.NoError(h.T, os.WriteFile(path, vehicles.CSV(), 0o644))
	h.LoadSQL(lakehouse.Ident{Namespace: "fleet", Name: "dim_vehicle"},
		fmt.Sprintf("SELECT %s FROM read_csv('%s', header = true, all_varchar = false)", strings.Join(cols, ", "), path))
}
