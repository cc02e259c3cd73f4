// Command inventory runs the inventory domain: produce, ingest and transform its data.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/inventory"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(inventory.Domain())) }
