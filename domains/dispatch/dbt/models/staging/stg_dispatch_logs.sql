{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed dispatch log events, one row per event_id (see mesh_core's
-- stage_events: incremental by arrival, so a status logged late still counts).
{% set columns %}
    CAST(dispatch_id AS VARCHAR)           as dispatch_id,
    CAST(order_id AS VARCHAR)              as order_id,
    vehicle_id,
    warehouse_id,
    region,
    lower(status)                          as status,
    CAST(status_seq AS BIGINT)             as status_seq,
    status_ts,
    eta
{% endset %}

{{ mesh_core.stage_events(source('dispatch', 'raw_dispatch_logs'), columns) }}
