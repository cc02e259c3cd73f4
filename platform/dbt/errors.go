package dbt

import "errors"

// Sentinel errors, wrapped with context; branch on them with errors.Is.
var (
	// ErrProject reports a malformed project: bad YAML, a missing
	// dbt_project.yml, a duplicate model, an invalid config value.
	ErrProject = errors.New("dbt: invalid project")
	// ErrPackage reports a packages.yml entry that cannot be resolved.
	ErrPackage = errors.New("dbt: unresolved package")
	// ErrUnsupported reports a Jinja construct or dbt feature outside the
	// supported subset (adapter.*, run_query, an unknown function).
	ErrUnsupported = errors.New("dbt: unsupported")
	// ErrCompile reports a template that fails to render: an undefined ref,
	// source or variable, or an error raised by a macro.
	ErrCompile = errors.New("dbt: compilation error")
	// ErrSelector reports a selector that names nothing in the project.
	ErrSelector = errors.New("dbt: invalid selector")
	// ErrCycle reports a dependency cycle between models.
	ErrCycle = errors.New("dbt: dependency cycle")
)
