{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed return events, one row per event_id (see mesh_core's
-- new_raw_events for why the increment is by arrival, not event time).
with deduplicated as (
    {{ new_raw_events(source('returns', 'raw_returns')) }}
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(return_id AS VARCHAR)             as return_id,
    CAST(order_id AS VARCHAR)              as order_id,
    product_id,
    warehouse_id,
    region,
    return_ts,
    lower(reason_code)                     as reason_code,
    CAST(qty AS BIGINT)                    as qty,
    {{ cents('refund_amount') }}           as refund_amount,
    lower(condition)                       as condition,
    customer_note,
    ingested_at
from deduplicated
where qty > 0 and refund_amount <= {{ var('max_refund_amount') }}
