package orders_test

import (
	"os"
	"testing"

	"github.com/meshterious/warehouse/domains/orders"
	"github.com/meshterious/warehouse/platform/domainkit/domaintest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	domaintest.Cleanup()
	os.Exit(code)
}

func TestIngestGuarantees(t *testing.T) {
	domaintest.RunIngestGuarantees(t, orders.Domain(), "./cmd/orders")
}
