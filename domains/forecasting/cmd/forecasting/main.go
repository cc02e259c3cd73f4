// Command forecasting runs the forecasting domain: its dbt staging, the demand
// forecast, the stockout risks and the backtest.
package main

import (
	"os"

	"github.com/meshterious/warehouse/domains/forecasting"
	"github.com/meshterious/warehouse/platform/domainkit"
)

func main() { os.Exit(domainkit.Main(forecasting.Domain(), forecasting.Commands()...)) }
