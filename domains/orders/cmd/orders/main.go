// Command orders runs the orders domain: produce, ingest and transform its data.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/orders"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(orders.Domain())) }
