{{ config(materialized='incremental', unique_key='assignment_id') }}

-- One row per assignment with its latest state (see mesh_core's
-- latest_per_key: corrections replace the row, late older events never do),
-- with its position as "lat,lon".
{{ mesh_core.latest_per_key(ref('stg_vehicle_routes'), 'assignment_id', [
    'assignment_id', 'vehicle_id', 'route_id', 'region', 'assigned_ts', 'lat', 'lon',
    "CAST(lat AS VARCHAR) || ',' || CAST(lon AS VARCHAR) as location",
    'planned_stops', 'distance_km', 'driver_shift']) }}
