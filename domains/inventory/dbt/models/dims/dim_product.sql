{{ config(materialized='table') }}

-- The product catalogue, from the platform's master data (seed products).
-- Rebuilt whole, so a product removed from the master data leaves it; a
-- rebuild of the same rows commits nothing.
select
    product_id,
    name,
    category,
    CAST(unit_cost AS DECIMAL(12, 2))  as unit_cost,
    CAST(list_price AS DECIMAL(12, 2)) as list_price
from {{ ref('products') }}
