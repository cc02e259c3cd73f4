package forecasting

import (
	"embed"

	"github.com/meshterious/warehouse/platform/domainkit"
)

// files are the forecasting domain's declarations: domain.yaml and its dbt project.
//
//go:embed domain.yaml dbt/dbt_project.yml dbt/packages.yml dbt/macros dbt/models
var files embed.FS

// Domain returns the forecasting domain: its embedded declarations. It
// publishes no events, so it has no generators.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, nil)
}
