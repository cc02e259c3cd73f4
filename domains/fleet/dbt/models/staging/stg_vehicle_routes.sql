{{ config(materialized='incremental', unique_key='event_id') }}

-- Clean, typed vehicle route assignments, one row per event_id (see
-- mesh_core's stage_events for the envelope and why the increment is by
-- arrival). Tours without stops or longer than max_distance_km are input errors.
{% set columns %}
    CAST(assignment_id AS VARCHAR)            as assignment_id,
    vehicle_id,
    route_id,
    region,
    assigned_ts,
    CAST(lat AS DOUBLE)                       as lat,
    CAST(lon AS DOUBLE)                       as lon,
    CAST(planned_stops AS BIGINT)             as planned_stops,
    round(CAST(distance_km AS DOUBLE), 1)     as distance_km,
    lower(driver_shift)                       as driver_shift
{% endset %}

{{ mesh_core.stage_events(source('fleet', 'raw_vehicle_routes'), columns) }}
where planned_stops > 0 and distance_km > 0 and distance_km <= {{ var('max_distance_km') }}
