package masterdata

import (
	"fmt"
	"strconv"

	"github.com/meshterious/warehouse/platform/gen"
)

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
	r := gen.NewRand(Seed, 3)
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
	Register("opening_stock", func() Table {
		t := Table{Header: []string{"stock_key", "warehouse_id", "product_id", "opening_qty"}}
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
	Register("employees", func() Table {
		t := Table{Header: []string{"employee_id", "role", "assigned_warehouse", "shift_hours", "name", "email", "phone"}}
		for _, e := range Employees() {
			t.Rows = append(t.Rows, []string{e.ID, e.Role, e.Warehouse, strconv.Itoa(e.ShiftHours), e.Name, e.Email, e.Phone})
		}
		return t
	})
	Register("warehouse_managers", func() Table {
		t := Table{Header: []string{"warehouse_id", "manager"}}
		for _, e := range Employees() {
			if e.Role == ManagerRole {
				t.Rows = append(t.Rows, []string{e.Warehouse, e.ID})
			}
		}
		return t
	})
}
