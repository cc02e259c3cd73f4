go test fuzz v1
[]byte("{#- dbt-core takes generate_schema_name from the root project only (never from a\n    package), so this shim routes it to mesh_core's: models land in their +schema. -#}\n{% macro generate_schema_name(custom_schema_name, node) -%}\n{{ mesh_core.generate_schema_name(custom_schema_name, node) }}\n{%- endmacro %}\n")
