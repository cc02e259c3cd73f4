// Command fleet runs the fleet domain: produce, ingest and transform its data.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/fleet"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(fleet.Domain())) }
