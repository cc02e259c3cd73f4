package dispatch

import (
	"embed"

	"github.com/meshterious/warehouse/platform/domainkit"
	"github.com/meshterious/warehouse/platform/produce"
)

//go:embed domain.yaml contracts/*.json dbt/dbt_project.yml dbt/packages.yml dbt/models dbt/seeds
var files embed.FS

// Domain returns the dispatch domain with its embedded declarations.
func Domain() *domainkit.Domain {
	return domainkit.MustLoad(files, map[string]produce.Generator{
		"dispatch_logs": NewRegional().Generate,
	})
}
