// Command errors runs the errors domain: produce, ingest and transform its data.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/errors"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(errors.Domain())) }
