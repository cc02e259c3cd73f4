{#- Round a money amount to cents, the precision every price in the mesh uses. -#}
{% macro cents(expr) -%}
round(CAST({{ expr }} AS DOUBLE), 2)
{%- endmacro %}
