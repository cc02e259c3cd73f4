{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed order events, one row per event_id (see mesh_core's
-- new_raw_events for why the increment is by arrival, not event time).
with deduplicated as (
    {{ new_raw_events(source('orders', 'raw_orders')) }}
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(order_id AS VARCHAR)              as order_id,
    customer_id,
    product_id,
    warehouse_id,
    region,
    order_ts,
    CAST(qty AS BIGINT)                    as qty,
    {{ cents('unit_price') }}              as unit_price,
    currency,
    lower(channel)                         as channel,
    coalesce(priority, 'standard')         as priority,
    promo_code,
    customer_lat,
    customer_lon,
    ingested_at
from deduplicated
where qty > 0 and unit_price <= {{ var('max_unit_price') }}
