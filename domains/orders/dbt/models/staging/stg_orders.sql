{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed order events, one row per event_id. Incremental by arrival
-- (ingested_at), not by event_ts: a late event has an old event_ts but a new
-- ingested_at, and must still be picked up.
with new_events as (
    select *
    from {{ source('orders', 'raw_orders') }}
    {% if is_incremental() %}
    where ingested_at > (select coalesce(max(ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
    {% endif %}
),

-- Copies of one event_id are identical; keeping the newest copy makes
-- max(ingested_at) cover every raw row read, so the next run skips them all.
deduplicated as (
    select *
    from new_events
    qualify row_number() over (partition by event_id order by ingested_at desc) = 1
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
