package orders

import (
	"fmt"
	"math"
	"time"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/produce"
)

// Vocabularies of the orders domain.
var (
	channels   = gen.MustVocabulary("channel", "web", 0.46, "mobile", 0.30, "store", 0.12, "marketplace", 0.08, "b2b", 0.04)
	priorities = gen.MustVocabulary("priority", "standard", 0.78, "express", 0.18, "same_day", 0.04)
	promos     = gen.MustVocabulary("promo_code", "SPRING10", 0.3, "FREESHIP", 0.4, "VIP20", 0.1, "BUNDLE3", 0.2)
)

// currency of each region's price list, and its rate to USD list prices.
var regionCurrency = map[string]struct {
	code string
	rate float64
}{
	"us-east": {"USD", 1}, "us-west": {"USD", 1}, "eu-central": {"EUR", 0.92}, "ap-southeast": {"SGD", 1.34},
}

// Shares of orders carrying a promotion code, on normal and on promotion days.
const (
	promoShare    = 0.12
	promoDayShare = 0.55
)

// GenerateOrder makes the domain fields of one order line.
func GenerateOrder(c *produce.Context) map[string]any {
	r := c.Rand
	product := catalogue[r.Zipf(len(catalogue), 1.07)]
	warehouses := warehousesByRegion[c.Region.Name]
	wh := warehouses[r.IntN(len(warehouses))]
	lat, lon := c.Region.Point(r)
	channel := channels.Pick(r)
	// Cheap items sell in larger quantities.
	qty := 1 + r.Poisson(math.Max(0.2, 8/math.Sqrt(product.Price)))
	customer := fmt.Sprintf("C-%06d", 1+r.Zipf(200000, 1.01))
	if channel == "b2b" {
		line := standingOrderLine(r, c.Region.Name, c.Time.Weekday())
		product, customer = catalogue[line.product], line.customer
		// A standing order varies little from week to week: within 15% of its quantity.
		qty = max(1, int(math.Round(float64(line.qty)*(0.85+0.3*r.Float64()))))
	}
	cur := regionCurrency[c.Region.Name]
	if cur.code == "" {
		cur.code, cur.rate = "USD", 1
	}
	price := math.Round(product.Price*cur.rate*100) / 100
	ev := map[string]any{
		"order_id":     r.UUID().String(),
		"customer_id":  customer,
		"product_id":   product.ID,
		"warehouse_id": wh,
		"region":       c.Region.Name,
		"order_ts":     produce.Timestamp(c.Time),
		"qty":          int64(qty),
		"unit_price":   price,
		"currency":     cur.code,
		"channel":      channel,
		"priority":     priorities.Pick(r),
		"customer_lat": math.Round(lat*1e5) / 1e5,
		"customer_lon": math.Round(lon*1e5) / 1e5,
	}
	// On the shared promotion days (when demand spikes) most orders carry a code.
	share := promoShare
	if gen.IsPromoDay(c.Time) {
		share = promoDayShare
	}
	if r.Bool(share) {
		ev["promo_code"] = promos.Pick(r)
	}
	return ev
}

// B2B customers are shops that restock from the warehouse with standing
// orders: each account orders the same few bestsellers in about the same
// quantities on its weekday, every week. Bulk demand is then a weekly
// pattern a forecaster can learn, as it is in a real distribution business,
// rather than noise no method could predict.
const (
	b2bAccountsPerWeekday = 2
	b2bLinesPerAccount    = 3
	b2bProducts           = 60 // standing orders draw from the 60 bestsellers
)

type standingLine struct {
	customer string
	product  int // index into catalogue
	qty      int
}

// standingOrders holds each region's standing order lines by weekday,
// fixed by the region's name so that every run has the same accounts.
var standingOrders = func() map[string][7][]standingLine {
	out := map[string][7][]standingLine{}
	for ri, region := range gen.RegionNames() {
		r := gen.NewRand(gen.DefaultSeed("orders", "b2b/"+region), 0)
		var days [7][]standingLine
		for wd := range days {
			for a := range b2bAccountsPerWeekday {
				// 9xxxxx: above the retail customers' C-000001..C-200000.
				customer := fmt.Sprintf("C-9%02d%d%02d", ri, wd, a)
				for range b2bLinesPerAccount {
					days[wd] = append(days[wd], standingLine{customer: customer, product: r.Zipf(b2bProducts, 1.07), qty: 6 + r.IntN(19)})
				}
			}
		}
		out[region] = days
	}
	return out
}()

// standingOrderLine picks one of the region's standing order lines of the weekday.
func standingOrderLine(r *gen.Rand, region string, wd time.Weekday) standingLine {
	lines := standingOrders[region][wd]
	if len(lines) == 0 { // a region without accounts: its first region's
		lines = standingOrders[gen.RegionNames()[0]][wd]
	}
	return lines[r.IntN(len(lines))]
}

// Domain returns the orders domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"orders": GenerateOrder})
}
