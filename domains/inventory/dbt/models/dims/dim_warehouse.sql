{{ config(materialized='incremental', unique_key='warehouse_id') }}

-- The fulfilment centres with their manager, from the platform's master data
-- (seeds warehouses and warehouse_managers). Incremental by change (mesh_core's
-- new_or_changed): only new or changed warehouses are merged.
with warehouses as (
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
)

{{ mesh_core.new_or_changed('warehouses') }}
