{{ config(materialized='incremental', unique_key='order_id') }}

-- One row per order line: the latest event of each order_id wins, so a
-- corrected order (a new event for the same order_id) replaces the old row,
-- and a late-arriving older event never overwrites a newer one.
with changed as (
    select *
    from {{ ref('stg_orders') }}
    {% if is_incremental() %}
    where ingested_at > (select coalesce(max(last_ingested_at), TIMESTAMPTZ '1970-01-01') from {{ this }})
    {% endif %}
),

candidates as (
    select order_id, product_id, warehouse_id, customer_id, region, channel, priority, promo_code,
           order_ts, qty, unit_price, currency, event_id, event_ts, event_date, ingested_at
    from changed
    {% if is_incremental() %}
    union all
    select order_id, product_id, warehouse_id, customer_id, region, channel, priority, promo_code,
           order_ts, qty, unit_price, currency, event_id, event_ts, event_date, ingested_at
    from {{ this }}
    where order_id in (select order_id from changed)
    {% endif %}
)

select
    order_id,
    product_id,
    warehouse_id,
    customer_id,
    region,
    channel,
    priority,
    promo_code,
    order_ts,
    qty,
    unit_price,
    currency,
    {{ cents('qty * unit_price') }}      as line_amount,
    event_id,
    event_ts,
    event_date,
    ingested_at,
    -- The newest arrival among all events of the order line, winning or not:
    -- the watermark of the next incremental run.
    max(ingested_at) over (partition by order_id) as last_ingested_at
from candidates
qualify row_number() over (partition by order_id order by event_ts desc, ingested_at desc) = 1
