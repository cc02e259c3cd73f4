package returns

import (
	"embed"

	"github.com/meshterious/warehouse/platform/masterdata"
)

// The category of every product, whose return rate it sets, comes from the
// inventory domain's published catalogue (inventory.products), read from the
// pinned copy in masterdata/ that `go run mage.go check` refreshes.
//
//go:embed masterdata/*.csv
var pinned embed.FS

// categoryOf maps a product id to its category.
var categoryOf = func() map[string]string {
	m := map[string]string{}
	s := masterdata.MustOpen(pinned, "inventory.products").Scan()
	for s.Next() {
		m[s.String("product_id")] = s.String("category")
	}
	if err := s.Err(); err != nil {
		panic(err)
	}
	return m
}()
