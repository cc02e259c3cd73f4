{{ config(materialized='table') }}

-- Demand per product, warehouse and UTC day: the units and order lines of
-- orders.fact_orders (latest state of every order line). A product x region
-- series is the sum over the region's warehouses; the warehouse grain gives
-- each warehouse's share of its region's demand and the realised demand the
-- stockout calibration compares with. Days without an order have no row.
select
    product_id,
    region,
    warehouse_id,
    event_date,
    CAST(sum(qty) AS BIGINT)  as units,
    CAST(count(*) AS BIGINT)  as order_lines
from {{ source('orders', 'fact_orders') }}
group by product_id, region, warehouse_id, event_date
