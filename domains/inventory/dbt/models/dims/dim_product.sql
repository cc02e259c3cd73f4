{{ config(materialized='incremental', unique_key='product_id') }}

-- The product catalogue, from the platform's master data (seed products).
-- Incremental by change (mesh_core's new_or_changed): a run merges only
-- products that are new or differ from the current row, so unchanged master
-- data commits nothing.
with products as (
    select
        product_id,
        name,
        category,
        CAST(unit_cost AS DECIMAL(12, 2))  as unit_cost,
        CAST(list_price AS DECIMAL(12, 2)) as list_price
    from {{ ref('products') }}
)

{{ mesh_core.new_or_changed('products') }}
