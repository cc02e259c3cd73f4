{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed inventory movement events, one row per event_id (see mesh_core's
-- stage_events: incremental by arrival, replayed copies removed). A movement
-- of nothing or of more than max_abs_delta_qty units is an input error.
{% set columns %}
    CAST(movement_id AS VARCHAR)           as movement_id,
    product_id,
    warehouse_id,
    region,
    CAST(delta_qty AS BIGINT)              as delta_qty,
    lower(source_type)                     as source_type,
    reference_id,
    -- The order line an outbound movement picks, as a key of orders.fact_orders.
    CASE WHEN lower(source_type) = 'outbound_order' THEN reference_id END as order_id,
    employee_id,
    movement_ts
{% endset %}

{{ mesh_core.stage_events(source('inventory', 'raw_inventory_movements'), columns) }}
where delta_qty <> 0 and abs(delta_qty) <= {{ var('max_abs_delta_qty') }}
