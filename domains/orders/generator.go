package orders

import (
	"fmt"
	"math"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
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

var catalogue = masterdata.Products()

// Shares of orders carrying a promotion code, on normal and on promotion days.
const (
	promoShare    = 0.12
	promoDayShare = 0.55
)

// GenerateOrder makes the domain fields of one order line.
func GenerateOrder(c *produce.Context) map[string]any {
	r := c.Rand
	product := catalogue[r.Zipf(len(catalogue), 1.07)]
	warehouses := masterdata.Warehouses(c.Region.Name)
	wh := warehouses[r.IntN(len(warehouses))]
	lat, lon := c.Region.Point(r)
	channel := channels.Pick(r)
	// Cheap items sell in larger quantities; B2B orders are bulk.
	qty := 1 + r.Poisson(math.Max(0.2, 8/math.Sqrt(product.Price)))
	if channel == "b2b" {
		qty = 10 + r.IntN(190)
	}
	cur := regionCurrency[c.Region.Name]
	if cur.code == "" {
		cur.code, cur.rate = "USD", 1
	}
	price := math.Round(product.Price*cur.rate*100) / 100
	ev := map[string]any{
		"order_id":     r.UUID().String(),
		"customer_id":  fmt.Sprintf("C-%06d", 1+r.Zipf(200000, 1.01)),
		"product_id":   product.ID,
		"warehouse_id": wh.ID,
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

// Domain returns the orders domain: its embedded declarations and the generator of each event.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{"orders": GenerateOrder})
}
