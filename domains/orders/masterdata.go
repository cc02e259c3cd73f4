package orders

import (
	"embed"

	"github.com/meshterious/warehouse/platform/masterdata"
)

// The products and warehouses orders refer to are the inventory domain's
// published master data (inventory.products, inventory.warehouses), read
// from the pinned copies in masterdata/ that `go run mage.go check`
// refreshes from the inventory's seeds: the ids every order names are those
// of inventory.dim_product and inventory.dim_warehouse.
//
//go:embed masterdata/*.csv
var pinned embed.FS

// product is what an order uses of a published product.
type product struct {
	ID    string
	Price float64 // list price in USD
}

// catalogue is the published catalogue in its order (best sellers first,
// which the Zipf draw of popularity relies on).
var catalogue = func() []product {
	var out []product
	s := masterdata.MustOpen(pinned, "inventory.products").Scan()
	for s.Next() {
		out = append(out, product{ID: s.String("product_id"), Price: s.Float("list_price")})
	}
	mustScan(s)
	return out
}()

// warehousesByRegion holds the ids of each region's published warehouses.
var warehousesByRegion = func() map[string][]string {
	out := map[string][]string{}
	s := masterdata.MustOpen(pinned, "inventory.warehouses").Scan()
	for s.Next() {
		region := s.String("region")
		out[region] = append(out[region], s.String("warehouse_id"))
	}
	mustScan(s)
	return out
}()

// mustScan stops the binary on a malformed pinned copy (see masterdata.MustOpen).
func mustScan(s *masterdata.Scanner) {
	if err := s.Err(); err != nil {
		panic(err)
	}
}
