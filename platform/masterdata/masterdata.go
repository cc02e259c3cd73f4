package masterdata

import (
	"fmt"
	"math"
	"strings"

	"github.com/meshterious/warehouse/platform/gen"
)

// Seed is the master-data seed shared by all domains.
const Seed uint64 = 0x6d657368 // "mesh"

// Product is one sellable item.
type Product struct {
	ID       string
	Name     string
	Category string
	UnitCost float64 // what the warehouse pays
	Price    float64 // list price in USD
}

// Warehouse is one fulfilment centre.
type Warehouse struct {
	ID       string
	Region   string
	Name     string
	Capacity int // pallet positions
	Lat, Lon float64
}

// Categories with their share of the catalogue and price band (USD).
var categories = []struct {
	name       string
	weight     float64
	minP, maxP float64
}{
	{"electronics", 0.14, 25, 900}, {"apparel", 0.20, 8, 120}, {"home", 0.16, 10, 300},
	{"grocery", 0.18, 1, 40}, {"toys", 0.10, 5, 80}, {"sports", 0.10, 10, 250},
	{"beauty", 0.07, 4, 90}, {"automotive", 0.05, 8, 400},
}

var nouns = map[string][]string{
	"electronics": {"Headphones", "Charger", "Tablet", "Speaker", "Monitor", "Router", "Camera"},
	"apparel":     {"Jacket", "T-Shirt", "Sneakers", "Jeans", "Scarf", "Hoodie"},
	"home":        {"Lamp", "Kettle", "Pillow", "Skillet", "Shelf", "Rug"},
	"grocery":     {"Coffee", "Olive Oil", "Pasta", "Tea", "Granola", "Rice"},
	"toys":        {"Puzzle", "Robot Kit", "Plush Bear", "Board Game", "Blocks"},
	"sports":      {"Yoga Mat", "Dumbbell", "Tent", "Bike Helmet", "Water Bottle"},
	"beauty":      {"Shampoo", "Face Cream", "Lipstick", "Sunscreen"},
	"automotive":  {"Wiper Blades", "Car Wax", "Floor Mats", "Jump Starter"},
}

var adjectives = []string{"Classic", "Pro", "Eco", "Compact", "Deluxe", "Smart", "Ultra", "Basic", "Premium", "Travel"}

// NumProducts is the size of the catalogue.
const NumProducts = 500

// Products returns the catalogue, in id order; the same on every call.
func Products() []Product {
	r := gen.NewRand(Seed, 1)
	out := make([]Product, NumProducts)
	for i := range out {
		c := categories[pickWeighted(r)]
		ns := nouns[c.name]
		// Log-uniform prices: many cheap items, a few expensive ones.
		price := math.Exp(math.Log(c.minP) + r.Float64()*(math.Log(c.maxP)-math.Log(c.minP)))
		price = math.Round(price*100)/100 - 0.01
		if price < 0.99 {
			price = 0.99
		}
		out[i] = Product{
			ID:       ProductID(i),
			Name:     adjectives[r.IntN(len(adjectives))] + " " + ns[r.IntN(len(ns))],
			Category: c.name,
			Price:    price,
			UnitCost: math.Round(price*(0.45+0.25*r.Float64())*100) / 100,
		}
	}
	return out
}

func pickWeighted(r *gen.Rand) int {
	x := r.Float64()
	for i, c := range categories {
		if x < c.weight {
			return i
		}
		x -= c.weight
	}
	return len(categories) - 1
}

// ProductID is the id of the i-th product (0-based).
func ProductID(i int) string { return fmt.Sprintf("P-%05d", i+1) }

// Categories lists the product categories.
func Categories() []string {
	out := make([]string, len(categories))
	for i, c := range categories {
		out[i] = c.name
	}
	return out
}

// warehousesPerRegion is how many fulfilment centres each region runs.
const warehousesPerRegion = 3

var regionCodes = map[string]string{"us-east": "USE", "us-west": "USW", "eu-central": "EUC", "ap-southeast": "APS"}

var cityNames = map[string][]string{
	"us-east":      {"Newark", "Atlanta", "Columbus"},
	"us-west":      {"Reno", "Fresno", "Tacoma"},
	"eu-central":   {"Leipzig", "Poznan", "Linz"},
	"ap-southeast": {"Singapore", "Kuala Lumpur", "Jakarta"},
}

// Warehouses returns the warehouses of region, the same on every call.
func Warehouses(region string) []Warehouse {
	reg, err := gen.LookupRegion(region)
	if err != nil {
		return nil
	}
	r := gen.NewRand(Seed, 2+gen.DefaultSeed("warehouse", region))
	code := regionCodes[region]
	if code == "" {
		code = strings.ToUpper(strings.ReplaceAll(region, "-", ""))[:3]
	}
	out := make([]Warehouse, warehousesPerRegion)
	for i := range out {
		lat, lon := reg.Point(r)
		name := fmt.Sprintf("%s FC %d", code, i+1)
		if cs := cityNames[region]; i < len(cs) {
			name = cs[i] + " Fulfilment Centre"
		}
		out[i] = Warehouse{
			ID: fmt.Sprintf("WH-%s-%02d", code, i+1), Region: region, Name: name,
			Capacity: 20000 + 5000*r.IntN(9), Lat: math.Round(lat*1e5) / 1e5, Lon: math.Round(lon*1e5) / 1e5,
		}
	}
	return out
}
