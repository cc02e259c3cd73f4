package dispatch

import (
	"container/heap"
	"hash/fnv"
	"math"
	"sort"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// Statuses of a dispatch, in the order they can happen. delayed and
// failed_attempt occur only on late journeys, between in_transit and delivered.
const (
	Picked        = "picked"
	Packed        = "packed"
	Loaded        = "loaded"
	InTransit     = "in_transit"
	Delayed       = "delayed"
	FailedAttempt = "failed_attempt"
	Delivered     = "delivered"
)

// promisedDays is the delivery promise (order to door) of each region.
var promisedDays = map[string]int{"us-east": 2, "us-west": 2, "eu-central": 2, "ap-southeast": 3}

// onTimeShare is the share of dispatches of a region delivered by their ETA.
var onTimeShare = map[string]float64{"us-east": 0.91, "us-west": 0.88, "eu-central": 0.93, "ap-southeast": 0.81}

// lateKinds is how a late journey shows in the log.
var lateKinds = gen.MustVocabulary("late_kind", Delayed, 0.65, FailedAttempt, 0.35)

const (
	// journeySeed keys the journey of an order line; a journey depends only on
	// the order line, so every producer logs the same journey for it.
	journeySeed uint64 = 0x64697370 // "disp"
	// recent is how old the first status of a journey may be when its turn
	// comes: an order line whose dispatch would have started longer ago than
	// that is left unlogged (a live producer starting on a long history logs
	// today's journeys, not those of last month).
	recent = 3 * 24 * time.Hour
)

// Step is one status of a journey.
type Step struct {
	Status string
	TS     time.Time
}

// Journey is the planned life of one dispatch.
type Journey struct {
	DispatchID string
	VehicleID  string
	ETA        time.Time
	Steps      []Step
}

// Dispatcher generates dispatch logs of one region in time order: it plans
// the journey of every order line placed by the time asked for and logs their
// statuses oldest first, from a queue ordered by when each journey's next
// status is due. It is not for concurrent use: produce.PerRegion gives each
// region its own, and a region's events are generated in sequence.
type Dispatcher struct {
	fleet map[string][]string
	// orders are the upstream order lines sorted by order_ts; admitted of
	// them have their journey in due.
	orders   []map[string]any
	admitted int
	due      dueQueue
}

// NewDispatcher returns a dispatcher that has logged nothing yet.
func NewDispatcher() *Dispatcher {
	return &Dispatcher{fleet: map[string][]string{}}
}

// Generate logs the next status due by c.Time of a dispatch of c.Upstream
// (the region's orders.fact_orders): the oldest due status of the journeys
// started so far. It returns nil when no status is due.
func (d *Dispatcher) Generate(c *produce.Context) map[string]any {
	if d.orders == nil {
		d.orders = sortedOrders(c.Upstream)
	}
	for ; d.admitted < len(d.orders); d.admitted++ {
		o := d.orders[d.admitted]
		orderTS := o["order_ts"].(time.Time)
		if orderTS.After(c.Time) {
			break
		}
		if j := d.journey(o, o["order_id"].(string), orderTS); j != nil {
			heap.Push(&d.due, &pending{journey: j, order: o})
		}
	}
	for d.due.Len() > 0 {
		p := d.due[0]
		step := p.journey.Steps[p.next]
		if step.TS.After(c.Time) {
			return nil
		}
		if p.next == 0 && c.Time.Sub(step.TS) > recent {
			heap.Pop(&d.due)
			continue
		}
		p.next++
		if p.next < len(p.journey.Steps) {
			heap.Fix(&d.due, 0)
		} else {
			heap.Pop(&d.due)
		}
		j, o := p.journey, p.order
		return map[string]any{
			"event_ts":     produce.Timestamp(step.TS),
			"dispatch_id":  j.DispatchID,
			"order_id":     o["order_id"],
			"vehicle_id":   j.VehicleID,
			"warehouse_id": o["warehouse_id"],
			"region":       o["region"],
			"status":       step.Status,
			"status_seq":   int64(p.next),
			"status_ts":    produce.Timestamp(step.TS),
			"eta":          produce.Timestamp(j.ETA),
		}
	}
	return nil
}

// sortedOrders returns the order lines with an id and a time, by order_ts
// (then id, so equal times keep one order).
func sortedOrders(upstream []map[string]any) []map[string]any {
	out := make([]map[string]any, 0, len(upstream))
	for _, o := range upstream {
		id, _ := o["order_id"].(string)
		if _, ok := o["order_ts"].(time.Time); ok && id != "" {
			out = append(out, o)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		ta, tb := out[a]["order_ts"].(time.Time), out[b]["order_ts"].(time.Time)
		if !ta.Equal(tb) {
			return ta.Before(tb)
		}
		return out[a]["order_id"].(string) < out[b]["order_id"].(string)
	})
	return out
}

// pending is a journey with statuses left to log; next is the first of them.
type pending struct {
	journey *Journey
	order   map[string]any
	next    int
}

// dueQueue orders pending journeys by the time their next status is due
// (container/heap), ties by dispatch id.
type dueQueue []*pending

func (q dueQueue) Len() int { return len(q) }
func (q dueQueue) Less(a, b int) bool {
	ta, tb := q[a].journey.Steps[q[a].next].TS, q[b].journey.Steps[q[b].next].TS
	if !ta.Equal(tb) {
		return ta.Before(tb)
	}
	return q[a].journey.DispatchID < q[b].journey.DispatchID
}
func (q dueQueue) Swap(a, b int) { q[a], q[b] = q[b], q[a] }
func (q *dueQueue) Push(x any)   { *q = append(*q, x.(*pending)) }
func (q *dueQueue) Pop() any {
	old := *q
	p := old[len(old)-1]
	*q = old[:len(old)-1]
	return p
}

// journey plans the dispatch of order line o, deterministically from its id.
func (d *Dispatcher) journey(o map[string]any, orderID string, orderTS time.Time) *Journey {
	region, _ := o["region"].(string)
	warehouse, _ := o["warehouse_id"].(string)
	vehicles := d.vehicles(region, warehouse)
	if len(vehicles) == 0 {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(orderID))
	r := gen.NewRand(journeySeed, h.Sum64())
	j := &Journey{DispatchID: r.UUID().String(), VehicleID: vehicles[r.IntN(len(vehicles))]}
	days := promisedDays[region]
	if days == 0 {
		days = 3
	}
	j.ETA = orderTS.Add(time.Duration(days) * 24 * time.Hour).Truncate(time.Hour)
	hours := func(lo, hi float64) time.Duration {
		return time.Duration((lo + (hi-lo)*r.Float64()) * float64(time.Hour)).Truncate(time.Microsecond)
	}
	// Warehouse work: the queue before picking grows with the backlog.
	t := orderTS.Add(hours(0.3, 2) + time.Duration(r.Poisson(2))*time.Hour)
	add := func(status string, after time.Duration) {
		t = t.Add(after)
		j.Steps = append(j.Steps, Step{status, t})
	}
	add(Picked, 0)
	add(Packed, hours(0.2, 1.5))
	add(Loaded, hours(1, 6))
	add(InTransit, hours(0.2, 1))
	left := j.ETA.Sub(t)
	if r.Bool(onTimeShare[region]) && left > time.Hour {
		add(Delivered, time.Duration(float64(left)*(0.3+0.65*r.Float64())).Truncate(time.Microsecond))
		return j
	}
	// A late journey: the carrier reports the delay, or the driver finds
	// nobody home at the promised time and comes back the next day.
	if lateKinds.Pick(r) == Delayed {
		add(Delayed, time.Duration(math.Max(float64(left)/2, float64(time.Hour))).Truncate(time.Microsecond))
		add(Delivered, j.ETA.Sub(t)+hours(2, 30))
	} else {
		add(FailedAttempt, time.Duration(math.Max(float64(left)-float64(hours(0.5, 3)), float64(30*time.Minute))).Truncate(time.Microsecond))
		add(Delivered, hours(20, 28))
	}
	if !j.Steps[len(j.Steps)-1].TS.After(j.ETA) {
		// Time is monotonic, but a late journey must end after its ETA.
		j.Steps[len(j.Steps)-1].TS = j.ETA.Add(hours(1, 4))
	}
	return j
}

// vehicles lists the fleet based at a warehouse (the region's fleet when no
// vehicle is based there).
func (d *Dispatcher) vehicles(region, warehouse string) []string {
	key := region + "/" + warehouse
	if vs, ok := d.fleet[key]; ok {
		return vs
	}
	var home, all []string
	for _, v := range vehiclesByRegion[region] {
		all = append(all, v.ID)
		if v.HomeWarehouse == warehouse {
			home = append(home, v.ID)
		}
	}
	if len(home) == 0 {
		home = all
	}
	d.fleet[key] = home
	return home
}

// Domain returns the dispatch domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	perRegion := produce.PerRegion(func(string) *Dispatcher { return NewDispatcher() }, (*Dispatcher).Generate)
	return domainkit.MustLoad(files, map[string]produce.Generator{"dispatch_logs": perRegion})
}
