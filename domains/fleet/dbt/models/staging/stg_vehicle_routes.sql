{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed vehicle route assignments, one row per event_id (see
-- mesh_core's new_raw_events for why the increment is by arrival).
with deduplicated as (
    {{ new_raw_events(source('fleet', 'raw_vehicle_routes')) }}
)

select
    CAST(event_id AS VARCHAR)                 as event_id,
    event_ts,
    CAST(event_ts AS DATE)                    as event_date,
    CAST(assignment_id AS VARCHAR)            as assignment_id,
    vehicle_id,
    route_id,
    region,
    assigned_ts,
    CAST(lat AS DOUBLE)                       as lat,
    CAST(lon AS DOUBLE)                       as lon,
    CAST(planned_stops AS BIGINT)             as planned_stops,
    round(CAST(distance_km AS DOUBLE), 1)     as distance_km,
    lower(driver_shift)                       as driver_shift,
    ingested_at
from deduplicated
where planned_stops > 0 and distance_km > 0 and distance_km <= {{ var('max_distance_km') }}
