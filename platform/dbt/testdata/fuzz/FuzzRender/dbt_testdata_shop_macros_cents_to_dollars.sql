go test fuzz v1
[]byte("{% macro cents_to_dollars(column, scale=2) -%}\n    round({{ column }} / 100.0, {{ scale }})\n{%- endmacro %}\n")
