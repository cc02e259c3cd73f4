package dispatch

import (
	"hash/fnv"
	"math"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
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
	// maxTries bounds the search for a dispatch with a status due.
	maxTries = 600
	// recent is how far back a due status may lie in the first half of the
	// search; the second half takes any due status.
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

// Dispatcher generates dispatch logs of one region; it remembers how far each
// dispatch has been logged so that statuses come out in sequence. It is not
// for concurrent use: produce.PerRegion gives each region its own, and a
// region's events are generated in sequence.
type Dispatcher struct {
	logged map[string]int // order_id -> number of statuses published
	fleet  map[string][]string
	// active holds the order lines whose journey has started but not ended,
	// at their index in activeAt: a started dispatch moves on.
	active   []map[string]any
	activeAt map[string]int
	// journeys caches each order line's journey: a journey depends on the
	// order line alone, and the search for a due status looks at the same
	// order lines again and again.
	journeys map[string]*Journey
}

// NewDispatcher returns a dispatcher that has logged nothing yet.
func NewDispatcher() *Dispatcher {
	return &Dispatcher{logged: map[string]int{}, fleet: map[string][]string{}, activeAt: map[string]int{}, journeys: map[string]*Journey{}}
}

// Generate logs the next status of a dispatch of c.Upstream (the region's
// orders.fact_orders) whose status time has come by c.Time: every other try
// moves a started journey on, the others start or continue any order line,
// preferring statuses of the last days. It returns nil when no status is due.
func (d *Dispatcher) Generate(c *produce.Context) map[string]any {
	if len(c.Upstream) == 0 {
		return nil
	}
	r := c.Rand
	for try := range maxTries {
		o := c.Upstream[r.IntN(len(c.Upstream))]
		fromActive := try%2 == 0 && len(d.active) > 0
		if fromActive {
			o = d.active[r.IntN(len(d.active))]
		}
		orderID, _ := o["order_id"].(string)
		orderTS, ok := o["order_ts"].(time.Time)
		if !ok || orderID == "" || orderTS.After(c.Time) {
			continue
		}
		n := d.logged[orderID]
		j, planned := d.journeys[orderID]
		if !planned {
			j = d.journey(o, orderID, orderTS)
			d.journeys[orderID] = j
		}
		if j == nil || n >= len(j.Steps) {
			continue
		}
		step := j.Steps[n]
		if step.TS.After(c.Time) || (!fromActive && try < maxTries/2 && c.Time.Sub(step.TS) > recent) {
			continue
		}
		d.logged[orderID] = n + 1
		d.track(o, orderID, n+1 < len(j.Steps))
		return map[string]any{
			"event_ts":     produce.Timestamp(step.TS),
			"dispatch_id":  j.DispatchID,
			"order_id":     orderID,
			"vehicle_id":   j.VehicleID,
			"warehouse_id": o["warehouse_id"],
			"region":       o["region"],
			"status":       step.Status,
			"status_seq":   int64(n + 1),
			"status_ts":    produce.Timestamp(step.TS),
			"eta":          produce.Timestamp(j.ETA),
		}
	}
	return nil
}

// track adds a started journey to the active ones, or removes an ended one.
func (d *Dispatcher) track(o map[string]any, orderID string, going bool) {
	i, known := d.activeAt[orderID]
	switch {
	case going && !known:
		d.activeAt[orderID] = len(d.active)
		d.active = append(d.active, o)
	case !going && known:
		last := d.active[len(d.active)-1]
		d.active[i] = last
		d.activeAt[last["order_id"].(string)] = i
		d.active = d.active[:len(d.active)-1]
		delete(d.activeAt, orderID)
	}
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
	for _, v := range masterdata.Vehicles(region) {
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
