{{ config(materialized='table') }}

-- Stock movements per product, warehouse and UTC day from
-- inventory.fact_inventory_movements: the net change of stock (every movement
-- type), the supplier restocks among it, and the units picked for orders.
-- Opening stock plus the net changes up to a day is the stock on hand at its
-- end.
select
    product_id,
    warehouse_id,
    region,
    event_date,
    CAST(sum(delta_qty) AS BIGINT)                                                  as net_qty,
    CAST(sum(CASE WHEN source_type = 'restock' THEN delta_qty ELSE 0 END) AS BIGINT) as restock_qty,
    CAST(sum(CASE WHEN source_type = 'outbound_order' THEN -delta_qty ELSE 0 END) AS BIGINT) as outbound_qty,
    CAST(count(*) AS BIGINT)                                                        as movements
from {{ source('inventory', 'fact_inventory_movements') }}
group by product_id, warehouse_id, region, event_date
