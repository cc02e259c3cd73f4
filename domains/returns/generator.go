package returns

import (
	"fmt"
	"math"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// returnRate is the share of order lines of a category that come back.
var returnRate = map[string]float64{
	"apparel": 0.24, "electronics": 0.10, "sports": 0.08, "home": 0.07,
	"toys": 0.06, "automotive": 0.05, "beauty": 0.04, "grocery": 0.01,
}

// maxReturnRate normalises returnRate into acceptance probabilities.
var maxReturnRate = func() float64 {
	m := 0.0
	for _, v := range returnRate {
		m = math.Max(m, v)
	}
	return m
}()

// Why customers send things back: fit dominates apparel, faults dominate
// electronics, spoilt goods are the grocery story.
var (
	defaultReasons = gen.MustVocabulary("reason_code",
		"changed_mind", 0.30, "defective", 0.20, "not_as_described", 0.18, "damaged_in_transit", 0.12,
		"wrong_item", 0.08, "late_delivery", 0.07, "wrong_size", 0.05)
	reasonsByCategory = map[string]gen.Vocabulary{
		"apparel": gen.MustVocabulary("reason_code",
			"wrong_size", 0.48, "changed_mind", 0.20, "not_as_described", 0.16, "defective", 0.06,
			"wrong_item", 0.05, "damaged_in_transit", 0.03, "late_delivery", 0.02),
		"electronics": gen.MustVocabulary("reason_code",
			"defective", 0.42, "not_as_described", 0.18, "changed_mind", 0.16, "damaged_in_transit", 0.14,
			"wrong_item", 0.06, "late_delivery", 0.04),
		"grocery": gen.MustVocabulary("reason_code",
			"expired", 0.45, "damaged_in_transit", 0.30, "wrong_item", 0.15, "late_delivery", 0.10),
	}
	// The state the item comes back in follows from why it comes back.
	conditionsByReason = map[string]gen.Vocabulary{
		"defective":          gen.MustVocabulary("condition", "used", 0.55, "damaged", 0.35, "opened", 0.10),
		"damaged_in_transit": gen.MustVocabulary("condition", "damaged", 0.85, "opened", 0.15),
		"expired":            gen.MustVocabulary("condition", "damaged", 0.70, "new_unopened", 0.30),
	}
	defaultConditions = gen.MustVocabulary("condition", "new_unopened", 0.45, "opened", 0.40, "used", 0.12, "damaged", 0.03)
)

// refundShare is the part of the price refunded for an item in a condition;
// the customer is not charged for the warehouse's or the product's fault.
var refundShare = map[string]float64{"new_unopened": 1, "opened": 0.9, "used": 0.6, "damaged": 0.3}

// noFault lists the reasons that always earn a full refund.
var noFault = map[string]bool{"defective": true, "damaged_in_transit": true, "wrong_item": true, "expired": true, "late_delivery": true}

// deliveryDays is the typical order-to-door time of a region.
var deliveryDays = map[string]float64{"us-east": 2, "us-west": 2.5, "eu-central": 2, "ap-southeast": 4}

const (
	minDelay = 2 * 24 * time.Hour
	maxDelay = 30 * 24 * time.Hour
	// maxTries bounds the search for an order line to return at one moment.
	maxTries = 500
)

// GenerateReturn makes one return, received at c.Time, of an order line of
// c.Upstream (the region's orders.fact_orders). An order line is drawn with
// its category's return rate times the likelihood of the time between its
// order and c.Time as a return delay (2 to 30 days, mostly the first week
// after delivery), so returns follow the burst's daily and weekly profile. It
// returns nil when no order line qualifies.
func GenerateReturn(c *produce.Context) map[string]any {
	r := c.Rand
	if len(c.Upstream) == 0 {
		return nil
	}
	for range maxTries {
		o := c.Upstream[r.IntN(len(c.Upstream))]
		orderTS, ok := o["order_ts"].(time.Time)
		if !ok {
			continue
		}
		delay := c.Time.Sub(orderTS)
		product, _ := o["product_id"].(string)
		category := categoryOf[product]
		if !r.Bool(delayLikelihood(delay, c.Region.Name) * returnRate[category] / maxReturnRate) {
			continue
		}
		return returnOf(r, o, category, c.Time)
	}
	return nil
}

// delayLikelihood is how plausible a return delay (order to receipt) is,
// relative to the likeliest one: nothing before delivery plus half a day,
// a ramp over the first days after it, then a tail that fades towards the
// 30-day return window.
func delayLikelihood(delay time.Duration, region string) float64 {
	if delay < minDelay || delay > maxDelay {
		return 0
	}
	days := deliveryDays[region]
	if days == 0 {
		days = 3
	}
	x := delay.Hours()/24 - days // days since delivery
	if x < 0.5 {
		return 0
	}
	return math.Min(1, (x-0.5)/3) * math.Exp(-math.Max(x-4, 0)/7)
}

func returnOf(r *gen.Rand, o map[string]any, category string, ts time.Time) map[string]any {
	reasons, ok := reasonsByCategory[category]
	if !ok {
		reasons = defaultReasons
	}
	reason := reasons.Pick(r)
	conditions, ok := conditionsByReason[reason]
	if !ok {
		conditions = defaultConditions
	}
	condition := conditions.Pick(r)
	ordered := toInt(o["qty"])
	if ordered < 1 {
		ordered = 1
	}
	// Most returns are of a single unit; bulk lines come back in part.
	qty := int64(1)
	if ordered > 1 && r.Bool(0.25) {
		qty = 1 + int64(r.IntN(int(ordered)))
	}
	share := refundShare[condition]
	if noFault[reason] {
		share = 1
	}
	refund := math.Round(float64(qty)*toFloat(o["unit_price"])*share*100) / 100
	ev := map[string]any{
		"event_ts":      produce.Timestamp(ts),
		"return_id":     r.UUID().String(),
		"order_id":      o["order_id"],
		"product_id":    o["product_id"],
		"warehouse_id":  o["warehouse_id"],
		"region":        o["region"],
		"return_ts":     produce.Timestamp(ts),
		"reason_code":   reason,
		"qty":           qty,
		"refund_amount": refund,
		"condition":     condition,
	}
	if r.Bool(noteShare) {
		// Free text is where customers leave personal data: a fake placeholder.
		ev["customer_note"] = fmt.Sprintf(notes[r.IntN(len(notes))], r.IntN(1000000))
	}
	return ev
}

// noteShare is the share of returns carrying a customer note.
const noteShare = 0.15

// notes are customer notes with a clearly fake contact placeholder.
var notes = []string{
	"Please call me back at +1-555-%06d about the refund.",
	"Refund to the card on file, reference customer-%06d@example.invalid.",
	"Left with the neighbour, ticket %06d.",
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int32:
		return int64(x)
	case int:
		return int64(x)
	case float64:
		return int64(x)
	}
	return 0
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case float32:
		return float64(x)
	case int64:
		return float64(x)
	}
	return 0
}

// Domain returns the returns domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"returns": GenerateReturn})
}
