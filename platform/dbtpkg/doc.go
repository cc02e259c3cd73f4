// Package dbtpkg ships the dbt packages every domain's project includes, so
// that shared models and macros live once: mesh_core holds the conformed
// dim_date dimension and the common macros (money rounding, schema naming,
// and in macros/incremental.sql the incremental patterns of the domains'
// models: stage_events for a staging model of raw events, latest_per_key
// for a fact of the latest state per key). A domain's model holds only its
// own columns and rules, and calls them qualified, as mesh_core.<macro>(...),
// which is how dbt-core reaches a package's macros.
//
// A domain's packages.yml names the package by its path in the repository
// (`- local: ../../../platform/dbtpkg/mesh_core`), which is what dbt-core
// reads; the Go executor resolves the same name to the copy embedded here,
// because an embedded domain project cannot reach outside its folder.
package dbtpkg

import (
	"embed"
	"io/fs"
)

//go:embed mesh_core
var files embed.FS

// Packages maps each package name to its files, for dbt.LoadOptions.Packages.
func Packages() map[string]fs.FS {
	core, err := fs.Sub(files, "mesh_core")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	return map[string]fs.FS{"mesh_core": core}
}
