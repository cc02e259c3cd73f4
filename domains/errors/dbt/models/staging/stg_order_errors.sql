{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed order error events, one row per event_id (see mesh_core's
-- stage_events: incremental by arrival, replayed copies removed).
{% set columns %}
    CAST(error_id AS VARCHAR)              as error_id,
    CAST(order_id AS VARCHAR)              as order_id,
    upper(error_code)                      as error_code,
    lower(severity_level)                  as severity_level,
    detected_ts,
    warehouse_id,
    region,
    lower(channel)                         as channel,
    coalesce(resolved, false)              as resolved,
    CAST(resolution_minutes AS BIGINT)     as resolution_minutes
{% endset %}

{{ mesh_core.stage_events(source('errors', 'raw_order_errors'), columns) }}
