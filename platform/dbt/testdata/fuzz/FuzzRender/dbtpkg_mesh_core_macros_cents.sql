go test fuzz v1
[]byte("{#- Round a money amount to cents, the precision every price in the mesh uses. -#}\n{% macro cents(expr) -%}\nround(CAST({{ expr }} AS DOUBLE), 2)\n{%- endmacro %}\n")
