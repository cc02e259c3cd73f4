{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed order events, one row per event_id (see mesh_core's
-- stage_events for the envelope and why the increment is by arrival, not
-- event time). Prices above max_unit_price are input errors.
{% set columns %}
    CAST(order_id AS VARCHAR)              as order_id,
    customer_id,
    product_id,
    warehouse_id,
    region,
    order_ts,
    CAST(qty AS BIGINT)                    as qty,
    {{ mesh_core.cents('unit_price') }}    as unit_price,
    currency,
    lower(channel)                         as channel,
    coalesce(priority, 'standard')         as priority,
    promo_code,
    customer_lat,
    customer_lon
{% endset %}

{{ mesh_core.stage_events(source('orders', 'raw_orders'), columns) }}
where qty > 0 and unit_price <= {{ var('max_unit_price') }}
