package inventory

import (
	"fmt"
	"math"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
	"github.com/meshterious/warehouse/platform/produce"
)

// Source types of a movement: why stock changed.
const (
	OutboundOrder = "outbound_order"
	Restock       = "restock"
	ReturnRestock = "return_restock"
	Adjustment    = "adjustment"
	TransferIn    = "transfer_in"
	TransferOut   = "transfer_out"
)

// The movement schedule: out of every cycle of 20 events, the first 15 pick the
// next order lines of the upstream (one outbound_order per order line, spread
// over the period, see spread), 2 are restocks, 1 a returned item put back, 1 a
// cycle-count adjustment and 1 a leg of a transfer (out and in alternate, so
// each transfer has both legs). When every order line has been picked, outbound
// slots become restocks.
const (
	cycle         = 20
	outboundSlots = 15
)

var (
	// coverCycles is how many pick cycles of demand a restock covers: far
	// away suppliers (ap-southeast imports) ship fewer, larger batches.
	coverCycles = map[string]float64{"us-east": 10, "us-west": 11, "eu-central": 9, "ap-southeast": 14}
	// shrinkage is the share of cycle-count adjustments that find less stock
	// than booked (breakage, theft); the rest find surplus.
	shrinkage = 0.7
	// pickDelay is how long after the order the warehouse picks the line.
	pickDelayMin, pickDelaySpread = 5 * time.Minute, 4 * time.Hour
)

var (
	products   = indexProducts()
	staff      = staffByWarehouse()
	warehouses = map[string][]masterdata.Warehouse{}
)

func init() {
	for _, r := range gen.RegionNames() {
		warehouses[r] = masterdata.Warehouses(r)
	}
}

func indexProducts() map[string]masterdata.Product {
	out := map[string]masterdata.Product{}
	for _, p := range masterdata.Products() {
		out[p.ID] = p
	}
	return out
}

// staffByWarehouse lists the employees who book movements (everyone but the
// manager) per warehouse.
func staffByWarehouse() map[string][]string {
	out := map[string][]string{}
	for _, e := range masterdata.Employees() {
		if e.Role != masterdata.ManagerRole {
			out[e.Warehouse] = append(out[e.Warehouse], e.ID)
		}
	}
	return out
}

// orderLine is one row of the upstream query.
type orderLine struct {
	orderID, productID, warehouseID string
	orderTS                         time.Time
	qty                             int64
}

func lineOf(row map[string]any) orderLine {
	l := orderLine{}
	l.orderID, _ = row["order_id"].(string)
	l.productID, _ = row["product_id"].(string)
	l.warehouseID, _ = row["warehouse_id"].(string)
	switch ts := row["order_ts"].(type) {
	case time.Time:
		l.orderTS = ts
	case string:
		l.orderTS, _ = time.Parse(time.RFC3339Nano, ts)
	}
	switch q := row["qty"].(type) {
	case int64:
		l.qty = q
	case int32:
		l.qty = int64(q)
	case int:
		l.qty = int64(q)
	case float64:
		l.qty = int64(q)
	}
	if l.qty < 1 {
		l.qty = 1
	}
	return l
}

// GenerateMovement makes the domain fields of one inventory movement.
func GenerateMovement(c *produce.Context) map[string]any {
	r := c.Rand
	lines := c.Upstream
	slot := int(c.Seq % cycle)
	k := int(c.Seq / cycle)
	if slot < outboundSlots {
		if j := k*outboundSlots + slot; j < len(lines) {
			return outbound(c, lineOf(lines[spread(j, len(lines))]))
		}
		return restock(c, demandLine(c))
	}
	switch slot {
	case outboundSlots, outboundSlots + 1:
		return restock(c, demandLine(c))
	case outboundSlots + 2:
		l := demandLine(c)
		return movement(c, l.productID, l.warehouseID, ReturnRestock, 1+int64(r.IntN(int(l.qty))),
			fmt.Sprintf("RMA-%08d", r.IntN(1e8)), c.Time)
	case outboundSlots + 3:
		l := demandLine(c)
		delta := int64(1 + r.Poisson(1))
		if r.Bool(shrinkage) {
			delta = -delta
		}
		return movement(c, l.productID, l.warehouseID, Adjustment, delta, fmt.Sprintf("CC-%08d", r.IntN(1e8)), c.Time)
	default:
		return transferLeg(c, k)
	}
}

// spreadStride is a prime: j -> j*spreadStride mod n visits every index
// below n once, so the first j picks are spread over the whole period
// instead of being the oldest order lines.
const spreadStride = 7919

// spread maps the j-th outbound pick (j < n) to the order line it picks.
func spread(j, n int) int {
	if n%spreadStride == 0 {
		return j
	}
	return int(uint64(j) * spreadStride % uint64(n))
}

// demandLine picks a random upstream order line: restocks, returns and
// counts follow demand. Without an upstream, any product of the region.
func demandLine(c *produce.Context) orderLine {
	if len(c.Upstream) > 0 {
		return lineOf(c.Upstream[c.Rand.IntN(len(c.Upstream))])
	}
	ws := warehouses[c.Region.Name]
	return orderLine{
		productID:   masterdata.ProductID(c.Rand.IntN(masterdata.NumProducts)),
		warehouseID: ws[c.Rand.IntN(len(ws))].ID,
		qty:         1,
	}
}

func outbound(c *produce.Context, l orderLine) map[string]any {
	at := l.orderTS.Add(pickDelayMin + time.Duration(c.Rand.Float64()*float64(pickDelaySpread)))
	ev := movement(c, l.productID, l.warehouseID, OutboundOrder, -l.qty, l.orderID, at)
	ev["event_ts"] = produce.Timestamp(at)
	return ev
}

// restock books a supplier delivery of whole cases covering several cycles
// of the line's demand.
func restock(c *produce.Context, l orderLine) map[string]any {
	pack := int64(masterdata.CasePack(products[l.productID].Category))
	cover := coverCycles[c.Region.Name]
	if cover == 0 {
		cover = 10
	}
	want := float64(l.qty) * cover * (0.7 + 0.6*c.Rand.Float64())
	cases := int64(math.Max(1, math.Ceil(want/float64(pack))))
	return movement(c, l.productID, l.warehouseID, Restock, cases*pack, fmt.Sprintf("PO-%08d", c.Rand.IntN(1e8)), c.Time)
}

// transferLeg is one leg of transfer k/2: the even cycle ships stock out of a
// warehouse, the odd cycle receives it in the next warehouse of the region.
// Both legs derive product, warehouses and quantity from the same upstream
// line, so they always match.
func transferLeg(c *produce.Context, k int) map[string]any {
	ws := warehouses[c.Region.Name]
	if len(c.Upstream) == 0 || len(ws) < 2 {
		return restock(c, demandLine(c))
	}
	pair := k / 2
	l := lineOf(c.Upstream[spread(pair, len(c.Upstream))])
	from, to := l.warehouseID, ws[0].ID
	for i, w := range ws {
		if w.ID == l.warehouseID {
			to = ws[(i+1)%len(ws)].ID
		}
	}
	qty := 6 * l.qty
	ref := fmt.Sprintf("TR-%s-%d", l.orderID[:min(8, len(l.orderID))], pair)
	if k%2 == 0 {
		return movement(c, l.productID, from, TransferOut, -qty, ref, c.Time)
	}
	return movement(c, l.productID, to, TransferIn, qty, ref, c.Time)
}

func movement(c *produce.Context, product, warehouse, source string, delta int64, ref string, at time.Time) map[string]any {
	ev := map[string]any{
		"movement_id":  c.Rand.UUID().String(),
		"product_id":   product,
		"warehouse_id": warehouse,
		"region":       c.Region.Name,
		"delta_qty":    delta,
		"source_type":  source,
		"reference_id": ref,
		"movement_ts":  produce.Timestamp(at),
	}
	if s := staff[warehouse]; len(s) > 0 {
		ev["employee_id"] = s[c.Rand.IntN(len(s))]
	}
	return ev
}

// Domain returns the inventory domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"inventory_movements": GenerateMovement})
}
