{{ config(materialized='table') }}

-- The fulfilment centres with their manager, from the platform's master data
-- (seeds warehouses and warehouse_managers). Rebuilt whole; a rebuild of the
-- same rows commits nothing.
select
    w.warehouse_id,
    w.name,
    w.region,
    m.manager,
    CAST(w.capacity AS BIGINT)  as capacity,
    CAST(w.lat AS DOUBLE)       as lat,
    CAST(w.lon AS DOUBLE)       as lon
from {{ ref('warehouses') }} w
left join {{ ref('warehouse_managers') }} m on m.warehouse_id = w.warehouse_id
