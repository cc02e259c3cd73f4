{{ config(materialized='incremental', unique_key='dispatch_id') }}

-- One row per dispatch with its latest status. A dispatch log's event_ts is
-- its status_ts, so mesh_core's latest_per_key keeps the status reached last,
-- and a status logged late never overwrites a newer one.
with latest as (
    {{ latest_per_key(ref('stg_dispatch_logs'), 'dispatch_id', [
        'dispatch_id', 'order_id', 'vehicle_id', 'warehouse_id', 'region', 'status', 'status_seq',
        'status_ts', 'eta', 'event_id', 'event_ts', 'event_date', 'ingested_at']) }}
)

select
    dispatch_id,
    order_id,
    vehicle_id,
    warehouse_id,
    region,
    status,
    status_seq,
    status_ts,
    eta,
    -- Known only once delivered: on time when handed over by the ETA.
    case when status = 'delivered' then status_ts <= eta end as delivered_on_time,
    -- Past its ETA and not delivered yet, as of its latest status.
    status <> 'delivered' and status_ts > eta                as overdue,
    event_id,
    event_ts,
    event_date,
    ingested_at,
    last_ingested_at
from latest
