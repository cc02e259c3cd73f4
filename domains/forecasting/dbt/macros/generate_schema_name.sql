{#- dbt-core takes generate_schema_name from the root project only (never from a
    package), so this shim routes it to mesh_core's: models land in their +schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
{{ mesh_core.generate_schema_name(custom_schema_name, node) }}
{%- endmacro %}
