{{ config(materialized='incremental', unique_key='error_id') }}

-- One row per detected error with its latest state (see mesh_core's
-- latest_per_key: an update, e.g. resolved, replaces the row, a late older
-- event never does).
{{ mesh_core.latest_per_key(ref('stg_order_errors'), 'error_id', [
    'error_id', 'order_id', 'error_code', 'severity_level', 'detected_ts', 'warehouse_id', 'region',
    'channel', 'resolved', 'resolution_minutes']) }}
