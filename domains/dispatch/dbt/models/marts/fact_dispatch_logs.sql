{{ config(materialized='incremental', unique_key='dispatch_id') }}

-- One row per dispatch with its latest status. A dispatch log's event_ts is
-- its status_ts, so mesh_core's latest_per_key keeps the status reached last,
-- and a status logged late never overwrites a newer one.
-- delivered_on_time is known only once delivered: on time when handed over by
-- the ETA. overdue: past its ETA and not delivered yet, as of its latest status.
{{ mesh_core.latest_per_key(ref('stg_dispatch_logs'), 'dispatch_id', [
    'dispatch_id', 'order_id', 'vehicle_id', 'warehouse_id', 'region', 'status', 'status_seq',
    'status_ts', 'eta',
    "case when status = 'delivered' then status_ts <= eta end as delivered_on_time",
    "status <> 'delivered' and status_ts > eta as overdue"]) }}
