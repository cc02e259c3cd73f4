{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed dispatch log events, one row per event_id (see mesh_core's
-- new_raw_events: a status logged late still counts).
with deduplicated as (
    {{ new_raw_events(source('dispatch', 'raw_dispatch_logs')) }}
)

select
    CAST(event_id AS VARCHAR)              as event_id,
    event_ts,
    CAST(event_ts AS DATE)                 as event_date,
    CAST(dispatch_id AS VARCHAR)           as dispatch_id,
    CAST(order_id AS VARCHAR)              as order_id,
    vehicle_id,
    warehouse_id,
    region,
    lower(status)                          as status,
    CAST(status_seq AS BIGINT)             as status_seq,
    status_ts,
    eta,
    ingested_at
from deduplicated
