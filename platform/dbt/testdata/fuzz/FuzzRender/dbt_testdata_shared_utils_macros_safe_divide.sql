go test fuzz v1
[]byte("{% macro safe_divide(numerator, denominator) -%}\n    case when {{ denominator }} = 0 then null else {{ numerator }} / {{ denominator }} end\n{%- endmacro %}\n")
