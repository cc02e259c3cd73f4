package inventory

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/meshterious/warehouse/platform/gen"
	"github.com/meshterious/warehouse/platform/masterdata"
)

// The inventory domain owns the product catalogue, the warehouses and their
// staff. They are generated here from masterdata.Seed and published as the
// seeds of its dbt project (domain.yaml masterdata: [...]); other domains
// read the published tables (inventory.products, inventory.warehouses),
// never this code.

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
	r := gen.NewRand(masterdata.Seed, 1)
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
	r := gen.NewRand(masterdata.Seed, 2+gen.DefaultSeed("warehouse", region))
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

// Employee is one member of a warehouse's staff. Name, Email and Phone are
// clearly fake placeholders, yet handled as personal data downstream.
type Employee struct {
	ID         string
	Role       string
	Warehouse  string // id of the assigned warehouse
	ShiftHours int    // contracted hours per week
	Name       string
	Email      string
	Phone      string
}

// EmployeesPerWarehouse is the staff size of every warehouse.
const EmployeesPerWarehouse = 8

// EmployeeRoles is the vocabulary of warehouse roles; every warehouse has one
// manager (its first employee), the others are drawn by weight.
var EmployeeRoles = gen.MustVocabulary("employee_role",
	"picker", 0.40, "packer", 0.25, "forklift_operator", 0.15, "receiver", 0.12, "inventory_clerk", 0.08)

// ManagerRole is the role of the employee who runs a warehouse.
const ManagerRole = "warehouse_manager"

var shiftHours = []int{20, 30, 38, 40, 40, 40}

// Employees returns the staff of every warehouse of every region, in id
// order; the same on every call.
func Employees() []Employee {
	r := gen.NewRand(masterdata.Seed, 3)
	var out []Employee
	for _, region := range gen.RegionNames() {
		for _, w := range Warehouses(region) {
			for i := 0; i < EmployeesPerWarehouse; i++ {
				n := len(out) + 1
				e := Employee{
					ID:         fmt.Sprintf("E-%04d", n),
					Warehouse:  w.ID,
					Name:       fmt.Sprintf("Employee %04d", n),
					Email:      fmt.Sprintf("emp%04d@example.invalid", n),
					Phone:      fmt.Sprintf("+1-555-%04d", 100+n),
					Role:       EmployeeRoles.Pick(r),
					ShiftHours: shiftHours[r.IntN(len(shiftHours))],
				}
				if i == 0 {
					e.Role, e.ShiftHours = ManagerRole, 40
				}
				out = append(out, e)
			}
		}
	}
	return out
}

// WarehouseManager returns the id of the employee managing the warehouse, or
// "" for an unknown warehouse.
func WarehouseManager(warehouseID string) string {
	for _, e := range Employees() {
		if e.Warehouse == warehouseID && e.Role == ManagerRole {
			return e.ID
		}
	}
	return ""
}

// casePacks is how many units of a category come in one supplier case.
var casePacks = map[string]int{
	"electronics": 4, "apparel": 12, "home": 6, "grocery": 24,
	"toys": 8, "sports": 6, "beauty": 12, "automotive": 6,
}

// CasePack returns how many units of the category a supplier case holds.
func CasePack(category string) int {
	if n, ok := casePacks[category]; ok {
		return n
	}
	return 6
}

// Assortment classes by catalogue rank (products are listed best sellers
// first): how many supplier cases of a product every warehouse holds before
// the first recorded movement.
var openingCases = []struct {
	upToRank int
	cases    int
}{{10, 60}, {50, 24}, {200, 8}, {NumProducts, 3}}

// OpeningStock returns the units of product i (0-based catalogue index) a
// warehouse holds before its first recorded movement, so that stock on hand
// is the opening stock plus the sum of movements.
func OpeningStock(i int, p Product) int {
	cases := 3
	for _, c := range openingCases {
		if i < c.upToRank {
			cases = c.cases
			break
		}
	}
	return cases * CasePack(p.Category)
}

func init() {
	masterdata.Register("products", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"product_id", "name", "category", "unit_cost", "list_price"}}
		for _, p := range Products() {
			t.Rows = append(t.Rows, []string{p.ID, p.Name, p.Category, money(p.UnitCost), money(p.Price)})
		}
		return t
	})
	masterdata.Register("warehouses", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"warehouse_id", "name", "region", "capacity", "lat", "lon"}}
		for _, r := range gen.RegionNames() {
			for _, w := range Warehouses(r) {
				t.Rows = append(t.Rows, []string{w.ID, w.Name, w.Region, strconv.Itoa(w.Capacity),
					strconv.FormatFloat(w.Lat, 'f', -1, 64), strconv.FormatFloat(w.Lon, 'f', -1, 64)})
			}
		}
		return t
	})
	masterdata.Register("opening_stock", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"stock_key", "warehouse_id", "product_id", "opening_qty"}}
		products := Products()
		for _, region := range gen.RegionNames() {
			for _, w := range Warehouses(region) {
				for i, p := range products {
					t.Rows = append(t.Rows, []string{w.ID + "/" + p.ID, w.ID, p.ID, strconv.Itoa(OpeningStock(i, p))})
				}
			}
		}
		return t
	})
	masterdata.Register("employees", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"employee_id", "role", "assigned_warehouse", "shift_hours", "name", "email", "phone"}}
		for _, e := range Employees() {
			t.Rows = append(t.Rows, []string{e.ID, e.Role, e.Warehouse, strconv.Itoa(e.ShiftHours), e.Name, e.Email, e.Phone})
		}
		return t
	})
	masterdata.Register("warehouse_managers", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"warehouse_id", "manager"}}
		for _, e := range Employees() {
			if e.Role == ManagerRole {
				t.Rows = append(t.Rows, []string{e.Warehouse, e.ID})
			}
		}
		return t
	})
}

// money formats an amount with cents.
func money(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
