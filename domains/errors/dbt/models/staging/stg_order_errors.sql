{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed order error events, one row per event_id (see mesh_core's
-- new_raw_events: incremental by arrival, replayed copies removed).
with deduplicated as (
    {{ new_raw_events(source('errors', 'raw_order_errors')) }}
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(error_id AS VARCHAR)              as error_id,
    CAST(order_id AS VARCHAR)              as order_id,
    upper(error_code)                      as error_code,
    lower(severity_level)                  as severity_level,
    detected_ts,
    warehouse_id,
    region,
    lower(channel)                         as channel,
    coalesce(resolved, false)              as resolved,
    CAST(resolution_minutes AS BIGINT)     as resolution_minutes,
    ingested_at
from deduplicated
