{{ config(materialized='incremental', unique_key='assignment_id') }}

-- One row per assignment with its latest state (see mesh_core's
-- latest_per_key: corrections replace the row, late older events never do).
with latest as (
    {{ latest_per_key(ref('stg_vehicle_routes'), 'assignment_id', [
        'assignment_id', 'vehicle_id', 'route_id', 'region', 'assigned_ts', 'lat', 'lon',
        'planned_stops', 'distance_km', 'driver_shift', 'event_id', 'event_ts', 'event_date',
        'ingested_at']) }}
)

select
    assignment_id,
    vehicle_id,
    route_id,
    region,
    assigned_ts,
    lat,
    lon,
    CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR) as location,
    planned_stops,
    distance_km,
    driver_shift,
    event_id,
    event_ts,
    event_date,
    ingested_at,
    last_ingested_at
from latest
