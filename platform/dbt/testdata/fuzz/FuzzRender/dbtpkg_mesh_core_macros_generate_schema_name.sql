go test fuzz v1
[]byte("{#- Use a model's +schema as the schema itself (the domain's Iceberg namespace),\n    not dbt's default \"<target schema>_<custom schema>\". -#}\n{% macro generate_schema_name(custom_schema_name, node) -%}\n{%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}\n{%- endmacro %}\n")
