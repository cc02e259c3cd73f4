package errors

import (
	"strconv"

	"github.com/meshterious/warehouse/platform/masterdata"
)

// The errors domain owns the error-code catalogue: its generator draws from
// it and it is published as the seed error_codes of its dbt project
// (dim_error_code), the table other domains read as errors.error_codes.

// ErrorCode is one kind of order-processing error.
type ErrorCode struct {
	Code        string
	Description string
	Severity    string  // low, medium, high, critical
	Frequency   float64 // relative frequency among detected errors
}

// Severities lists the severity levels, from least to most severe.
var Severities = []string{"low", "medium", "high", "critical"}

var errorCodes = []ErrorCode{
	{"ADDR_INVALID", "Delivery address could not be validated", "medium", 0.18},
	{"ADDR_UNDELIVERABLE", "Carrier cannot deliver to the address", "high", 0.05},
	{"PAYMENT_DECLINED", "Payment was declined by the issuer", "high", 0.14},
	{"PAYMENT_TIMEOUT", "Payment provider did not answer in time", "medium", 0.08},
	{"FRAUD_SUSPECTED", "Order held by fraud screening", "critical", 0.02},
	{"OUT_OF_STOCK", "Warehouse had no stock to pick the line", "high", 0.16},
	{"PICK_MISMATCH", "Picked item does not match the order line", "medium", 0.09},
	{"PACKAGE_DAMAGED", "Package damaged before hand-over to the carrier", "medium", 0.06},
	{"LABEL_PRINT_FAILED", "Shipping label could not be printed", "low", 0.10},
	{"PRICE_MISMATCH", "Charged price differs from the listed price", "low", 0.07},
	{"DUPLICATE_ORDER", "Order looks like a duplicate submission", "low", 0.04},
	{"SYSTEM_ERROR", "Order management system failure", "critical", 0.01},
}

// ErrorCodes returns the error-code catalogue; the same on every call.
func ErrorCodes() []ErrorCode { return append([]ErrorCode(nil), errorCodes...) }

func init() {
	masterdata.Register("error_codes", func() masterdata.Table {
		t := masterdata.Table{Header: []string{"error_code", "description", "severity_level", "frequency"}}
		for _, c := range errorCodes {
			t.Rows = append(t.Rows, []string{c.Code, c.Description, c.Severity, strconv.FormatFloat(c.Frequency, 'f', 2, 64)})
		}
		return t
	})
}
