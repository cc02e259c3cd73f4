// Command returns runs the returns domain: produce, ingest and transform its data.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/returns"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(returns.Domain())) }
