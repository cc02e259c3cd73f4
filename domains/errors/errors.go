package errors

import "embed"

// files are the errors domain's declarations: domain.yaml, its contracts and its dbt project.
//
//go:embed domain.yaml contracts/*.json dbt/dbt_project.yml dbt/packages.yml dbt/macros dbt/models dbt/seeds
var files embed.FS
