package inventory

import (
	"fmt"
	"math"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
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
	// shrinkage is the share of cycle-count adjustments that find less stock
	// than booked (breakage, theft); the rest find surplus.
	shrinkage = 0.7
	// pickDelay is how long after the order the warehouse picks the line.
	pickDelayMin, pickDelaySpread = 5 * time.Minute, 4 * time.Hour
)

var (
	products     = indexProducts()
	productIndex = indexProductRanks()
	staff        = staffByWarehouse()
	warehouses   = map[string][]Warehouse{}
)

func init() {
	for _, r := range gen.RegionNames() {
		warehouses[r] = Warehouses(r)
	}
}

func indexProducts() map[string]Product {
	out := map[string]Product{}
	for _, p := range Products() {
		out[p.ID] = p
	}
	return out
}

func indexProductRanks() map[string]int {
	out := map[string]int{}
	for i, p := range Products() {
		out[p.ID] = i
	}
	return out
}

// staffByWarehouse lists the employees who book movements (everyone but the
// manager) per warehouse.
func staffByWarehouse() map[string][]string {
	out := map[string][]string{}
	for _, e := range Employees() {
		if e.Role != ManagerRole {
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

// stockKey is a product in a warehouse.
type stockKey struct{ warehouseID, productID string }

// regionStock is the book stock of every product in every warehouse of a
// region as the generator has moved it (opening stock plus every movement
// generated so far). It replenishes like a warehouse on an order-up-to
// policy: a product that a movement took below its normal level (its opening
// stock) joins the queue of due restocks, and each restock slot brings the
// product due longest back to that level in whole supplier cases; so stock
// follows demand instead of piling up. It also keeps stock on hand from going
// below zero: a pick the shelf cannot cover is preceded by an expedited
// delivery, a count never finds more missing than the shelf holds and a
// transfer ships at most half of it. A region's events are generated in
// sequence (produce.PerRegion), so the history stays the same for the same
// seed.
type regionStock struct {
	onHand map[stockKey]int64
	// due lists the products below their normal level, oldest first.
	due      []stockKey
	queued   map[stockKey]bool
	nextPick int
	// transferQty is the quantity of the transfer whose out leg shipped last
	// (0 when it could not ship), for its in leg.
	transferQty int64
}

// normalLevel is the stock a warehouse keeps of a product: its opening stock.
func normalLevel(k stockKey) int64 {
	if i, ok := productIndex[k.productID]; ok {
		return int64(OpeningStock(i, products[k.productID]))
	}
	return 0
}

func (s *regionStock) balance(k stockKey) int64 {
	if q, ok := s.onHand[k]; ok {
		return q
	}
	q := normalLevel(k)
	s.onHand[k] = q
	return q
}

// book applies a generated movement and queues its product for a restock
// when an outgoing movement left it below its normal level.
func (s *regionStock) book(ev map[string]any) map[string]any {
	k := stockKey{ev["warehouse_id"].(string), ev["product_id"].(string)}
	delta := ev["delta_qty"].(int64)
	left := s.balance(k) + delta
	s.onHand[k] = left
	if delta < 0 && left < normalLevel(k) && !s.queued[k] {
		s.queued[k] = true
		s.due = append(s.due, k)
	}
	return ev
}

// newRegionStock returns a region's book holding every warehouse's opening stock.
func newRegionStock(string) *regionStock {
	return &regionStock{onHand: map[stockKey]int64{}, queued: map[stockKey]bool{}}
}

// generate makes the domain fields of the next inventory movement of c.Region.
func (s *regionStock) generate(c *produce.Context) map[string]any {
	r := c.Rand
	lines := c.Upstream
	slot := int(c.Seq % cycle)
	k := int(c.Seq / cycle)
	if slot < outboundSlots {
		if s.nextPick < len(lines) {
			l := lineOf(lines[spread(s.nextPick, len(lines))])
			if s.balance(stockKey{l.warehouseID, l.productID}) < l.qty {
				// The shelf cannot cover the line: an expedited delivery
				// comes first and the pick takes the next outbound slot.
				return s.book(restock(c, l, l.qty-s.balance(stockKey{l.warehouseID, l.productID}), 1))
			}
			s.nextPick++
			return s.book(outbound(c, l))
		}
		return s.book(s.restockDue(c))
	}
	switch slot {
	case outboundSlots, outboundSlots + 1:
		return s.book(s.restockDue(c))
	case outboundSlots + 2:
		l := demandLine(c)
		return s.book(movement(c, l.productID, l.warehouseID, ReturnRestock, 1+int64(r.IntN(int(l.qty))),
			fmt.Sprintf("RMA-%08d", r.IntN(1e8)), c.Time))
	case outboundSlots + 3:
		l := demandLine(c)
		delta := int64(1 + r.Poisson(1))
		// A count finds at most what the shelf holds missing.
		if r.Bool(shrinkage) && s.balance(stockKey{l.warehouseID, l.productID}) >= delta {
			delta = -delta
		}
		return s.book(movement(c, l.productID, l.warehouseID, Adjustment, delta, fmt.Sprintf("CC-%08d", r.IntN(1e8)), c.Time))
	default:
		return s.transferLeg(c, k)
	}
}

// restockDue brings the product due longest back to its normal level, or,
// when none is due, tops up a product drawn by demand with one line's worth.
func (s *regionStock) restockDue(c *produce.Context) map[string]any {
	for len(s.due) > 0 {
		k := s.due[0]
		s.due = s.due[1:]
		delete(s.queued, k)
		if short := normalLevel(k) - s.balance(k); short > 0 {
			return restock(c, orderLine{productID: k.productID, warehouseID: k.warehouseID, qty: 1}, short, 0)
		}
	}
	return restock(c, demandLine(c), 0, 1)
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
		productID:   ProductID(c.Rand.IntN(NumProducts)),
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

// restock books a supplier delivery of whole cases covering about cycles
// lines of the line's size, and at least atLeast units.
func restock(c *produce.Context, l orderLine, atLeast int64, cycles float64) map[string]any {
	pack := int64(CasePack(products[l.productID].Category))
	want := math.Max(float64(atLeast), float64(l.qty)*cycles*(0.7+0.6*c.Rand.Float64()))
	cases := int64(math.Max(1, math.Ceil(want/float64(pack))))
	return movement(c, l.productID, l.warehouseID, Restock, cases*pack, fmt.Sprintf("PO-%08d", c.Rand.IntN(1e8)), c.Time)
}

// transferLeg is one leg of transfer k/2: the even cycle ships stock out of a
// warehouse, the odd cycle receives it in the next warehouse of the region.
// Both legs derive product and warehouses from the same upstream line and the
// in leg receives what the out leg shipped (at most half the stock, six lines'
// worth); a transfer that cannot ship becomes two restocks.
func (s *regionStock) transferLeg(c *produce.Context, k int) map[string]any {
	ws := warehouses[c.Region.Name]
	if len(c.Upstream) == 0 || len(ws) < 2 {
		return s.book(restock(c, demandLine(c), 0, 1))
	}
	pair := k / 2
	l := lineOf(c.Upstream[spread(pair, len(c.Upstream))])
	from, to := l.warehouseID, ws[0].ID
	for i, w := range ws {
		if w.ID == l.warehouseID {
			to = ws[(i+1)%len(ws)].ID
		}
	}
	ref := fmt.Sprintf("TR-%s-%d", l.orderID[:min(8, len(l.orderID))], pair)
	if k%2 == 0 {
		s.transferQty = min(6*l.qty, s.balance(stockKey{from, l.productID})/2)
		if s.transferQty < 1 {
			s.transferQty = 0
			return s.book(restock(c, l, 0, 1))
		}
		return s.book(movement(c, l.productID, from, TransferOut, -s.transferQty, ref, c.Time))
	}
	if s.transferQty == 0 {
		return s.book(restock(c, orderLine{productID: l.productID, warehouseID: to, qty: l.qty}, 0, 1))
	}
	return s.book(movement(c, l.productID, to, TransferIn, s.transferQty, ref, c.Time))
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
	return domainkit.MustLoad(files, map[string]produce.Generator{"inventory_movements": produce.PerRegion(newRegionStock, (*regionStock).generate)})
}
